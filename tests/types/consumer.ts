// A consumer of the npm package, compiled with `tsc --strict --noEmit` against
// the built package in pkg/: every public name and payload type must resolve.
import {
  connect, type Client, type View, type ClientEvents, type RingsideError, type OutboundView, type CallingRecord,
  type RecordStatus, type PreviewOrigin, type DialOutcome, type CallbackKind, type Channel, type ErrorCode,
  type Roster, type RosterEntry, type RosterWork, type MonitoringState, type MonitorMode,
} from 'ringside';
import { RingsideAgent } from 'ringside/element';
import { drawTimeline, fetchStatusReport, showStatusTimeline, type StatusReport, type StatusRow } from 'ringside/timeline';

async function desk(token: string): Promise<Client> {
  const client = await connect({ url: 'wss://desk.example.com/ws', token, commandTimeoutMs: 5_000 });
  const stop: () => void = client.on('view', (view: View) => {
    const label: string = view.status.engaged ?? view.status.label;
    const timer: string | null = view.status.timer;
    for (const offer of view.offers) {
      const flashing: boolean = offer.flashing;
      const left: number = offer.remaining_ms;
      void [flashing, left];
    }
    void [label, timer];
  });
  client.on('offer', (offer) => console.log(offer.from, offer.deadline - offer.offered_at));
  client.on('rona', ({ cause, notification }) => console.log(cause, notification === 'toast'));
  client.on('connection', ({ state }) => console.log(state === 'live'));
  const nackCode = (event: ClientEvents['nack']): string => event.code;
  void nackCode;
  await client.login();
  try {
    await client.setStatus('lunch');
  } catch (error) {
    const code: string = (error as RingsideError).code;
    console.log(code);
  }
  const offer = client.view.offers[0];
  if (offer) await client.accept(offer.id);
  const work = client.view.interactions[0];
  if (work) {
    await client.end(work.id);
    await client.done(work.id, client.view.wrap_up_codes[0]?.id ?? null);
  }
  const call = client.view.interactions.find((i) => i.channel === 'voice');
  if (call?.actions.consult) {
    await client.consult(call.id, { agent: 'ben' });
    const state: import('ringside').CallState = call.call_state;
    const held: boolean = call.participants.some((p) => p.held && p.party === 'customer');
    void [state, held];
    await client.startConference(call.id);
    await client.hold(call.id, call.participants[1]?.id);
    await client.leave(call.id);
  }
  if (call) await client.followUp(call.id, 'email');
  if (client.view.rona) await client.goIdle();
  await client.outdial('+46 8 555 0100');
  client.updateToken(token);
  stop();
  return client;
}

const element: RingsideAgent | null = document.querySelector('ringside-agent');
const widget: HTMLElementTagNameMap['ringside-agent'] = document.createElement('ringside-agent');
void [desk, element, widget.client];

// Outbound campaigns in push preview (SPEC P1-P8, W1-W7).
async function campaignDesk(client: Client): Promise<void> {
  await client.login({ previewMedia: ['voice'] });
  client.on('preview', (card: OutboundView) => console.log(card.record.name, card.origin === 'personal_callback'));
  client.on('record_ended', ({ record }) => console.log(record + 1));
  const flashing: boolean = client.view.campaign_flashing;
  const media: Channel[] = client.view.preview_media;
  void [flashing, media, client.view.preview_paused];
  const card = client.view.outbound[0];
  if (!card) return;
  const record: CallingRecord = card.record;
  const id: number = record.id;
  const status: RecordStatus = record.status;
  const origin: PreviewOrigin = card.origin;
  const left: string | null = card.remaining ?? card.stale_in;
  const fields: string[] = card.campaign.fields.map((f) => `${f}: ${record.fields[f] ?? ''}`);
  const sound: string | null = card.campaign.sounds.offered;
  const outcome: DialOutcome | null = card.dial_outcome;
  void [status, origin, left, fields, sound, outcome];
  if (card.actions.accept) await client.acceptPreview(id);
  if (card.actions.reject) await client.rejectPreview(id);
  if (card.actions.set_active) await client.setActive(id, record.chain.length - 1);
  if (card.actions.add_chained) await client.addChained(id, '+46 70 555 0101');
  if (card.actions.edit) await client.editRecord(id, { plan: 'gold' });
  if (card.actions.update) await client.updateRecord(id);
  if (card.actions.dial) await client.dial(id, `0${record.chain[record.active]}`);
  if (card.actions.dial) await client.dial(id);
  if (card.actions.cancel) await client.cancelRecord(id);
  if (card.actions.transfer) await client.transferRecord(id, 'ben');
  if (card.interaction !== null) await client.end(card.interaction);
  if (card.actions.call_result) await client.callResult(id, card.campaign.results[0] ?? 'answered');
  if (card.actions.do_not_call) await client.doNotCall(id);
  if (card.actions.reschedule) {
    await client.reschedule(id, { at: new Date(Date.now() + 60_000), personal: true });
    await client.reschedule(id, { at: Date.now() + 60_000, number: '+46 8 555 0102' });
  }
  const at: number | undefined = record.schedule?.at;
  const kind: CallbackKind | undefined = record.schedule?.kind;
  void [at, kind];
  if (card.actions.cancel_reschedule) await client.cancelReschedule(id);
  const refusal = client.check({ mark_done: { record: id, stop: false } });
  const why: ErrorCode | (string & {}) | undefined = refusal?.code;
  if (why === 'call_result_required' || why === 'reschedule_in_past') console.log(refusal?.message);
  if (card.actions.done) await client.markDone(id, { stop: true });
  await client.markDone(id);
  if (client.view.can_get_record) await client.getRecord();
  await client.choosePreviewMedia([]);
  const work = client.view.interactions.find((i) => i.origin === 'campaign');
  void work;
}
void campaignDesk;

widget.playSound = (sound: string, event: import('ringside').CallbackSoundEvent, card: OutboundView) => {
  console.log(sound, event === 'offered', card.record.id);
};

// Presence, auto-away and supervision (SPEC S6, S11, S12, M1-M3, S9).
async function supervisorDesk(client: Client): Promise<void> {
  client.subscribeRoster();
  client.on('roster', (roster: Roster) => {
    for (const tile of roster.queues) console.log(tile.queue, tile.waiting, tile.longest_wait ?? '', tile.available);
  });
  client.on('presence', (entry: RosterEntry) => console.log(entry.user, entry.label, entry.timer, entry.activity === 'on_call'));
  for (const entry of client.roster.entries) {
    const secondary: string | null = entry.secondary;
    const skill: number | undefined = entry.queues.support;
    void [secondary, skill, entry.location, entry.me];
    const work: RosterWork | undefined = entry.interactions.find((w) => w.state === 'active');
    if (work?.can_monitor) await client.monitor(work.id, entry.user);
    const state: MonitoringState | null = work?.monitoring ?? null;
    void state;
    if (entry.can_log_out) await client.logoutAgent(entry.user);
  }
  if (client.view.supervisor) {
    for (const m of client.view.monitoring) {
      const mode: MonitorMode = m.mode;
      void [mode, m.timer, m.agents];
      if (m.actions.pause) await client.pauseMonitoring(m.interaction);
      if (m.actions.resume) await client.resumeMonitoring(m.interaction);
      if (m.actions.barge_in) await client.bargeIn(m.interaction);
      if (m.actions.stop) await client.stopMonitoring(m.interaction);
    }
  }
  const monitored: boolean = client.view.interactions[0]?.monitored ?? false;
  const supervisors = client.view.interactions.flatMap((i) => i.participants).filter((p) => typeof p.party === 'object' && 'supervisor' in p.party);
  void [monitored, supervisors];
  await client.setLocation('Floor 3', { shared: true });
  await client.setLocation(null);
  await client.setFavourites(['ben']);
  const away: number = client.view.auto_away_ms;
  if (away > 0) {
    const permission: 'granted' | 'denied' | 'unsupported' = await client.enableIdleDetection();
    void permission;
  }
  const refusal = client.check({ monitor: { interaction: 1, agent: 'ana' } });
  if (refusal?.code === 'monitoring_full' || refusal?.code === 'call_in_wrap_up') console.log(refusal.message);
  void client.check('present');
  client.unsubscribeRoster();
}
void supervisorDesk;

// The status timeline chart, its own entry (SPEC S6).
async function chart(target: HTMLElement, token: string): Promise<void> {
  const to = Date.now();
  const report: StatusReport = await fetchStatusReport({ token, team: 'north', from: to - 86_400_000, to });
  const row: StatusRow | undefined = report.rows[0];
  const end: number | null = row?.to ?? null;
  const automatic: boolean = row?.automatic ?? false;
  void [end, automatic];
  const svg: SVGSVGElement = drawTimeline(target, report, { now: to });
  void svg;
  await showStatusTimeline(target, { token, user: 'ana', from: to - 3_600_000, to, laneHeight: 18 });
}
void chart;
