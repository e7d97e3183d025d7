// The demo desk: the <ringside-agent> element from the package, plus a
// customer-simulator panel that drives the server's /sim/ endpoints: it
// places contacts, hangs up, and answers campaign dials that wait for it
// (numbers ending in 0).
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
      ? `<table><thead><tr><th>Queue</th><th>Customer</th><th>Where</th><th></th></tr></thead><tbody>${rows.join('')}</tbody></table>`
      : '<p>No customers right now.</p>';
  }
  refresh();
  setInterval(refresh, 1000);
}
