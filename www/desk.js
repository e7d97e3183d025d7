// The demo desk: the <ringside-agent> element from the package, plus a
// customer-simulator panel that drives the server's /sim/ endpoints: it
// places contacts, hangs up, and answers campaign dials that wait for it
// (numbers ending in 0). Supervisors and admins also get the timeline of
// their team's statuses (SPEC S6), drawn by the package's timeline module.
import '/pkg/element.js';

const params = new URLSearchParams(location.hash.slice(1));
const token = params.get('token');
const simToken = params.get('sim');
const $ = (id) => document.getElementById(id);

function claims(jwt) {
  try {
    return JSON.parse(atob(jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
  } catch {
    return {};
  }
}

if (!token) {
  $('signin').hidden = false;
  $('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const sim = simToken ? `&sim=${encodeURIComponent(simToken)}` : '';
    location.hash = `token=${encodeURIComponent($('token-input').value.trim())}${sim}`;
    location.reload();
  });
} else {
  const who = claims(token);
  $('who').textContent = `${who.sub ?? ''} (${who.role ?? ''})`;
  const agent = document.createElement('ringside-agent');
  agent.setAttribute('url', `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
  agent.setAttribute('token', token);
  $('desk').append(agent);
  $('desk').hidden = false;
  if (who.role === 'supervisor' || who.role === 'admin') {
    document.body.classList.add('supervising');
    agent.addEventListener('ringside-ready', (event) => startTimeline(event.detail, token));
  }
}
/**
 * The team's statuses over the chosen range, drawn again when a followed
 * user's presence changes (a new row in the history) and on Refresh.
 */
function startTimeline(client, token) {
  const ranges = {
    day: () => [Date.now() - 86_400_000, Date.now()],
    today: () => [new Date().setHours(0, 0, 0, 0), Date.now()],
    hour: () => [Date.now() - 3_600_000, Date.now()],
    quarter: () => [Date.now() - 900_000, Date.now()],
    five: () => [Date.now() - 300_000, Date.now()],
  };
  let draw = null;
  let later = 0;
  const team = () => {
    const entries = client.roster.entries;
    return (entries.find((e) => e.me) ?? entries.find((e) => e.teams.length))?.teams[0] ?? null;
  };
  const refresh = async () => {
    const name = team();
    if (!name) return;
    draw ??= (await import('/pkg/timeline.js')).showStatusTimeline;
    const [from, to] = ranges[$('timeline-range').value]();
    try {
      await draw($('timeline-chart'), { token, team: name, from, to });
      $('timeline-note').textContent = `team ${name}`;
      $('timeline').dataset.drawn = String(Number($('timeline').dataset.drawn ?? 0) + 1);
    } catch (error) {
      $('timeline-note').textContent = `${error.code ?? 'error'}: ${error.message}`;
    }
  };
  $('timeline').hidden = false;
  $('timeline-range').addEventListener('change', refresh);
  $('timeline-refresh').addEventListener('click', refresh);
  let waiting = true; // for the roster that names the team
  client.on('roster', () => {
    if (waiting && team()) {
      waiting = false;
      refresh();
    }
  });
  client.on('presence', () => {
    clearTimeout(later);
    later = setTimeout(refresh, 1_000);
  });
}

// The simulator link carries only the admin token; a desk link may add it.
if (simToken) startSimulator(simToken);

function startSimulator(admin) {
  $('sim').hidden = false;
  const call = async (method, path, body) => {
    const response = await fetch(`/sim${path}`, {
      method,
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
    const reply = await response.json();
    if (!response.ok) throw Object.assign(new Error(reply.message), { code: reply.code });
    return reply;
  };
  const esc = (text) => String(text ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  $('place').addEventListener('submit', async (event) => {
    event.preventDefault();
    await call('POST', '/contacts', { queue: $('sim-queue').value, channel: $('sim-channel').value, from: $('sim-from').value });
    refresh();
  });
  $('sim-state').addEventListener('click', async (event) => {
    const button = event.target.closest('button[data-do]');
    if (!button) return;
    const { do: action, id } = button.dataset;
    try {
      if (action === 'hang-up') await call('POST', `/contacts/${id}/hang_up`);
      if (action === 'undeliverable') await call('POST', `/offers/${id}/undeliverable`, { cause: 'device_fault' });
      if (action === 'answer' || action === 'no-answer') await call('POST', `/interactions/${id}/answer`, { answered: action === 'answer' });
      if (action === 'drop') await call('POST', `/interactions/${id}/participants/${button.dataset.participant}/hang_up`);
      if (action === 'dial-answer') await call('POST', `/records/${id}/answer`, { outcome: button.dataset.outcome });
    } catch (error) {
      alert(error.message);
    }
    refresh();
  });
  let queuesShown = '';
  async function refresh() {
    let state;
    try {
      state = await call('GET', '/state');
    } catch {
      return;
    }
    const queues = Object.keys(state.queues);
    if (queues.join() !== queuesShown) {
      queuesShown = queues.join();
      $('sim-queue').innerHTML = queues.map((q) => `<option>${esc(q)}</option>`).join('');
    }
    const rows = [];
    for (const [queue, waiting] of Object.entries(state.queues)) {
      for (const item of waiting) {
        rows.push(`<tr><td>${esc(queue)}</td><td>contact ${item.contact}</td><td>waiting</td><td><button data-do="hang-up" data-id="${item.contact}">Hang up</button></td></tr>`);
      }
    }
    const calls = new Map();
    for (const agent of state.agents) {
      for (const work of agent.interactions.filter((i) => i.state === 'active')) calls.set(work.id, work);
    }
    for (const work of calls.values()) {
      const ringing = work.call.invitation?.target?.number;
      if (ringing) {
        rows.push(`<tr><td>call ${work.id}</td><td>${esc(ringing)}</td><td>ringing (${esc(work.call.invitation.purpose)})</td><td>
          <button data-do="answer" data-id="${work.id}">Answer</button>
          <button data-do="no-answer" data-id="${work.id}">No answer</button></td></tr>`);
      }
      for (const party of work.call.participants.filter((p) => p.party.number)) {
        rows.push(`<tr><td>call ${work.id}</td><td>${esc(party.party.number)}</td><td>dialled, on the call</td><td>
          <button data-do="drop" data-id="${work.id}" data-participant="${party.id}">Hang up</button></td></tr>`);
      }
    }
    for (const agent of state.agents) {
      for (const offer of agent.offers.filter((o) => !o.join)) {
        rows.push(`<tr><td>${esc(offer.queue)}</td><td>${esc(offer.from)}</td><td>offered to ${esc(agent.agent)}</td><td>
          <button data-do="hang-up" data-id="${offer.contact}">Hang up</button>
          <button data-do="undeliverable" data-id="${offer.id}">Fail delivery</button></td></tr>`);
      }
      for (const work of (agent.outbound ?? []).filter((o) => o.record.status === 'dialling')) {
        rows.push(`<tr><td>${esc(work.campaign.name)}</td><td>${esc(work.dialled)}</td><td>dialled by ${esc(agent.agent)}</td><td>
          ${['answered', 'no_answer', 'busy', 'wrong_number'].map((outcome) =>
            `<button data-do="dial-answer" data-id="${work.record.id}" data-outcome="${outcome}">${esc(outcome.replace('_', ' '))}</button>`).join(' ')}</td></tr>`);
      }
      for (const work of agent.interactions.filter((i) => i.state === 'active' && (i.origin === 'inbound' || i.origin === 'campaign') && i.call.primary === agent.agent && i.call.participants.some((p) => p.party === 'customer'))) {
        rows.push(`<tr><td>${esc(work.queue ?? 'campaign')}</td><td>${esc(work.from)}</td><td>with ${esc(agent.agent)}</td><td>
          <button data-do="hang-up" data-id="${work.contact}">Hang up</button></td></tr>`);
      }
    }
    $('sim-state').innerHTML = rows.length
      ? `<table><thead><tr><th>Queue</th><th>Customer</th><th>Where</th><th>Actions</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
      : '<p>No customers right now.</p>';
  }
  refresh();
  setInterval(refresh, 1000);
}
