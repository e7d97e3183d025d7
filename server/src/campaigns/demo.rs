//! The demo's sample campaign: `renewals`, for the demo agents, with a few
//! hundred generated records, created at start when the server has no
//! campaign yet (`--demo-campaign`), so the desk shows push preview at once.

use super::import;
use crate::owner::{AdminReply, AdminRequest, Input, OwnerSender};
use ringside::model::campaign::Campaign;
use ringside::model::{CampaignId, Channel, UserId};
use std::path::Path;
use tokio::sync::oneshot;

/// Records the sample campaign gets.
pub const DEMO_RECORDS: usize = 300;

/// The sample campaign.
pub fn campaign() -> Campaign {
    Campaign {
        id: CampaignId::from("renewals"),
        name: "Contract renewals".into(),
        mode: Default::default(),
        media: vec![Channel::Voice],
        agents: vec![UserId::from("ana"), UserId::from("ben")],
        accept_timeout_ms: 30_000,
        conference_limit: 3,
        stale_limit_ms: 30 * 60 * 1000,
        results: ["answered", "no_answer", "busy", "wrong_number", "renewed", "not_interested"].map(String::from).to_vec(),
        disposition_required: true,
        reschedule_before_dial: true,
        sounds: Default::default(),
        fields: vec!["plan".into(), "city".into()],
        running: true,
    }
}

/// The sample records as CSV: mostly numbers that answer, some busy, some
/// unanswered (the dialler's rule on the last digit).
pub fn records_csv(count: usize) -> String {
    const NAMES: [&str; 8] = ["Ada Lind", "Bo Ek", "Cai Berg", "Dana Holm", "Eli Sund", "Fay Strand", "Gus Dahl", "Hanna Ek"];
    const CITIES: [&str; 4] = ["Stockholm", "Göteborg", "Malmö", "Uppsala"];
    const PLANS: [&str; 3] = ["basic", "plus", "gold"];
    let mut csv = String::from("name,number,chained,plan,city\n");
    for n in 0..count {
        let last = [1, 2, 3, 4, 5, 6, 1, 7, 8, 2][n % 10];
        csv.push_str(&format!(
            "{} {},+46 8 555 {:03}{},+46 70 555 {:04},{},{}\n",
            NAMES[n % NAMES.len()],
            n + 1,
            n % 1000,
            last,
            n,
            PLANS[n % PLANS.len()],
            CITIES[n % CITIES.len()],
        ));
    }
    csv
}

async fn ask(owner: &OwnerSender, request: AdminRequest) -> Option<AdminReply> {
    let (reply, answer) = oneshot::channel();
    owner.send(Input::Admin { request, reply }).ok()?;
    answer.await.ok()?.ok()
}

/// Creates the sample campaign and its records if the server has no
/// campaign; says what it did.
pub async fn seed(owner: &OwnerSender, database: &Path) -> Result<&'static str, String> {
    match ask(owner, AdminRequest::Campaigns).await {
        Some(AdminReply::Campaigns(list)) if list.as_array().is_some_and(|l| !l.is_empty()) => return Ok("kept the existing campaigns"),
        Some(_) => {}
        None => return Err("the server did not answer".into()),
    }
    let campaign = campaign();
    let id = campaign.id.clone();
    let staging = database.with_extension("demo.staging");
    let _ = std::fs::remove_file(&staging);
    let report = import::stage(records_csv(DEMO_RECORDS).as_bytes(), &campaign, &staging).map_err(|e| format!("{e:?}"))?;
    if report.bad_lines > 0 {
        return Err(format!("the sample records have bad lines: {:?}", report.errors));
    }
    ask(owner, AdminRequest::SaveCampaign(Box::new(campaign))).await.ok_or("the campaign was not saved")?;
    let published = ask(owner, AdminRequest::Publish { campaign: id.clone(), staging: staging.clone() }).await;
    let _ = std::fs::remove_file(&staging);
    published.ok_or("the sample records were not imported")?;
    ask(owner, AdminRequest::SetRunning(id, true)).await.ok_or("the campaign did not start")?;
    Ok("created the sample campaign `renewals` with 300 records")
}
