// <ringside-agent url="wss://…/ws" token="…"> : a complete agent desk widget
// for CRM pages. Themable through CSS custom properties, keyboard usable,
// with an ARIA live region announcing offers and RONA.
import { connect } from './index.js';

const STYLE = `
:host { display: block; font: var(--ringside-font, 14px/1.4 system-ui, sans-serif); color: var(--ringside-fg, #1f2328);
  background: var(--ringside-bg, #fff); border: 1px solid var(--ringside-border, #d0d7de); border-radius: var(--ringside-radius, 8px); padding: 12px; }
.row { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
.badge { display: inline-block; width: 12px; height: 12px; border-radius: 50%; }
.label { font-weight: 600; }
.engaged { color: var(--ringside-engaged, #6f42c1); font-weight: 600; }
.timer { font-variant-numeric: tabular-nums; color: var(--ringside-muted, #57606a); }
section { margin-top: 10px; }
.card { border: 1px solid var(--ringside-border, #d0d7de); border-radius: var(--ringside-radius, 8px); padding: 8px; margin-top: 6px; }
button { font: inherit; padding: 4px 10px; border-radius: 6px; border: 1px solid var(--ringside-border, #d0d7de); background: var(--ringside-button, #f6f8fa); cursor: pointer; }
button:disabled { opacity: .5; cursor: default; }
button.accept { background: var(--ringside-accent, #1f883d); color: #fff; border-color: transparent; }
button.accept.flashing { animation: ringside-flash .5s steps(2, start) infinite; }
@keyframes ringside-flash { to { background: var(--ringside-flash, #d1242f); } }
@media (prefers-reduced-motion: reduce) { button.accept.flashing { animation: none; outline: 3px solid var(--ringside-flash, #d1242f); } }
.rona { border-color: var(--ringside-flash, #d1242f); }
.toast { position: fixed; right: 16px; bottom: 16px; background: #1f2328; color: #fff; padding: 10px 14px; border-radius: 8px; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
.conn { font-size: 12px; color: var(--ringside-muted, #57606a); }
.participants { margin: 6px 0; padding-left: 18px; }
.participants li { margin: 2px 0; }
.participants em { color: var(--ringside-flash, #d1242f); font-style: normal; font-size: 12px; }
.controls button { margin: 2px 0; }
.history { margin: 6px 0 0; padding-left: 18px; font-size: 12px; color: var(--ringside-muted, #57606a); }
`;

const esc = (text) => String(text ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export class RingsideAgent extends HTMLElement {
  static observedAttributes = ['token'];
  #root = this.attachShadow({ mode: 'open' });
  #shape = '';
  #codes = new Map();
  /** The open consult / conference / transfer form: { id, purpose }. */
  #targetFor = null;
  /** The connected client, once connected. */
  client = null;

  async connectedCallback() {
    if (this.client) return;
    this.#root.innerHTML = `<style>${STYLE}</style><div class="sr" aria-live="assertive" id="live"></div><div id="desk">Connecting…</div><div id="toast"></div>`;
    this.#root.addEventListener('click', (event) => this.#onClick(event));
    this.#root.addEventListener('change', (event) => this.#onChange(event));
    try {
      this.client = await connect({ url: this.getAttribute('url') ?? '', token: this.getAttribute('token') ?? '', wasmUrl: this.getAttribute('wasm-url') ?? undefined });
    } catch (error) {
      this.#root.getElementById('desk').textContent = `Cannot start: ${error.message}`;
      return;
    }
    this.client.on('view', (view) => this.#render(view));
    this.client.on('connection', () => this.#render(this.client.view));
    this.client.on('offer', (offer) => this.#announce(`New ${offer.channel} offer from ${offer.from}`));
    this.client.on('rona', (rona) => {
      this.#announce('RONA: the offer was not answered. Choose Go idle or Go available.');
      if (rona.notification === 'toast') this.#toast('RONA: an offer was not answered');
    });
    this.client.on('nack', (nack) => this.#toast(nack.message));
    this.dispatchEvent(new CustomEvent('ringside-ready', { detail: this.client }));
    this.#render(this.client.view);
  }

  disconnectedCallback() {
    this.client?.close();
    this.client = null;
  }

  attributeChangedCallback(name, _old, value) {
    if (name === 'token' && this.client && value) this.client.updateToken(value);
  }

  #announce(text) {
    this.#root.getElementById('live').textContent = text;
  }

  #toast(text) {
    const toast = this.#root.getElementById('toast');
    toast.innerHTML = `<div class="toast" role="status">${esc(text)}</div>`;
    setTimeout(() => { toast.textContent = ''; }, 5000);
  }

  async #onClick(event) {
    const button = event.target.closest('button[data-action]');
    if (!button || !this.client) return;
    const { action, id, participant, purpose } = button.dataset;
    const c = this.client;
    const n = Number(id);
    const card = button.closest('[data-interaction]');
    const run = {
      login: () => c.login(),
      logout: () => c.logout(),
      accept: () => c.accept(n),
      decline: () => c.decline(n),
      end: () => c.end(n),
      done: () => c.done(n, this.#codes.get(id) || null),
      'go-idle': () => c.goIdle(),
      'go-available': () => c.goAvailable(),
      hold: () => c.hold(n, participant ? Number(participant) : null),
      resume: () => c.resume(n, participant ? Number(participant) : null),
      'end-consult': () => c.endConsult(n),
      'complete-transfer': () => c.completeTransfer(n),
      'start-conference': () => c.startConference(n),
      leave: () => c.leave(n),
      record: () => c.record(n),
      dtmf: () => c.dtmf(n, card.querySelector('.dtmf-digits').value.trim()),
      'follow-up': () => c.followUp(n, card.querySelector('.follow-up-channel').value),
      'open-target': () => {
        this.#targetFor = { id, purpose };
        this.#render(c.view);
        card.querySelector('.target-value')?.focus();
      },
      'cancel-target': () => {
        this.#targetFor = null;
        this.#render(c.view);
      },
      'send-target': () => {
        const kind = card.querySelector('.target-kind').value;
        const value = card.querySelector('.target-value').value.trim();
        this.#targetFor = null;
        return c[purpose](n, { [kind]: value });
      },
    }[action];
    try {
      await run?.();
    } catch (error) {
      this.#toast(error.message);
    }
  }

  async #onChange(event) {
    const select = event.target;
    if (select.id === 'status' && this.client) {
      try { await this.client.setStatus(select.value); } catch (error) { this.#toast(error.message); }
    } else if (select.dataset.codeFor) {
      this.#codes.set(select.dataset.codeFor, select.value);
      this.#render(this.client.view);
    }
  }

  /** Rebuilds the structure only when it changes; otherwise updates texts. */
  #render(view) {
    const desk = this.#root.getElementById('desk');
    if (!desk) return;
    if (!view.ready) {
      // SPEC S10: until the server's state arrives, show no status at all
      // rather than a guess that may be wrong.
      const waiting = `<p class="conn" id="connecting">Connecting… (${esc(this.client?.connection ?? 'connecting')})</p>`;
      if (this.#shape !== waiting) desk.innerHTML = this.#shape = waiting;
      return;
    }
    const shape = JSON.stringify([this.client?.connection, view.logged_in, view.status.id, view.status.label, view.status.engaged,
      view.choices, view.rona, view.can_login, view.can_logout,
      view.offers.map((o) => [o.id, o.can_accept, o.can_decline]),
      view.interactions.map((i) => [i.id, i.state, i.call_state, i.actions, i.participants, i.recording, i.history.length, i.held !== null, i.consult_held !== null]),
      [...this.#codes], this.#targetFor]);
    if (shape !== this.#shape) {
      this.#shape = shape;
      desk.innerHTML = this.#markup(view);
    }
    const timer = this.#root.getElementById('status-timer');
    if (timer) timer.textContent = view.status.timer ?? '';
    for (const offer of view.offers) {
      const card = this.#root.querySelector(`[data-offer="${offer.id}"]`);
      if (!card) continue;
      card.querySelector('.remaining').textContent = offer.remaining;
      const accept = card.querySelector('button.accept');
      accept.classList.toggle('flashing', offer.flashing);
      accept.toggleAttribute('data-flashing', offer.flashing);
    }
    for (const item of view.interactions) {
      const card = this.#root.querySelector(`[data-interaction="${item.id}"]`);
      if (!card) continue;
      card.querySelector('.connected').textContent = item.connected;
      for (const [cls, text] of [['.wrap-timer', item.wrap_up], ['.held-timer', item.held], ['.consult-timer', item.consulting], ['.consult-held-timer', item.consult_held]]) {
        const el = card.querySelector(cls);
        if (el) el.textContent = text ?? '';
      }
    }
  }

  /** One interaction card: participants, call controls, wrap-up. */
  #interaction(view, i) {
    const a = i.actions;
    const button = (action, label, enabled, extra = '') =>
      enabled ? `<button data-action="${action}" data-id="${i.id}" ${extra}>${label}</button>` : '';
    if (i.state === 'wrap_up') {
      const code = this.#codes.get(String(i.id)) ?? '';
      const picker = i.owner ? `<label>Wrap-up code <select data-code-for="${i.id}">
        <option value="" ${code ? '' : 'selected'}>${view.wrap_up_required ? 'Choose…' : 'None'}</option>
        ${view.wrap_up_codes.map((c) => `<option value="${esc(c.id)}" ${c.id === code ? 'selected' : ''}>${esc(c.label)}</option>`).join('')}
        </select></label>` : '<span>Wrap-up assist</span>';
      return `<div class="card" data-interaction="${i.id}" part="interaction"><div class="row"><strong>${esc(i.channel)}</strong>
        ${esc(i.from)} · <span class="timer connected"></span> · wrap-up</div>
        <div class="row">${picker} <span class="timer">wrap-up <span class="wrap-timer"></span></span>
        <button data-action="done" data-id="${i.id}" ${a.done && !this.client?.check({ done: { interaction: i.id, code: code || null } }) ? '' : 'disabled'}>Done</button></div></div>`;
    }
    const people = i.participants.map((p) => `<li data-participant="${p.id}">${esc(partyName(p.party))}${p.me ? ' (you)' : ''}
      ${p.held ? '<em>on hold</em>' : p.conferenced ? '<em>may talk</em>' : ''}${p.controls ? '' : ' <small>no controls</small>'}
      ${p.can_hold && p.party !== 'customer' ? `<button data-action="hold" data-id="${i.id}" data-participant="${p.id}">Hold</button>` : ''}
      ${p.can_resume && p.party !== 'customer' ? `<button data-action="resume" data-id="${i.id}" data-participant="${p.id}">${p.conferenced ? 'Allow to talk' : 'Resume'}</button>` : ''}</li>`).join('');
    const open = this.#targetFor?.id === String(i.id) ? this.#targetFor.purpose : null;
    const targetForm = open ? `<div class="row target-form" role="group" aria-label="${open} target">
      <select class="target-kind" aria-label="Target kind"><option value="agent">Agent</option><option value="queue">Queue</option><option value="number">Number</option></select>
      <input class="target-value" aria-label="Target" placeholder="ben, sales or +46 8 …">
      <button data-action="send-target" data-id="${i.id}" data-purpose="${open}">${open[0].toUpperCase() + open.slice(1)}</button>
      <button data-action="cancel-target" data-id="${i.id}">Cancel</button></div>` : '';
    const controls = [
      button('hold', 'Hold', a.hold),
      button('resume', 'Resume', a.resume),
      button('open-target', 'Consult…', a.consult, 'data-purpose="consult"'),
      button('open-target', 'Conference…', a.conference, 'data-purpose="conference"'),
      button('open-target', 'Transfer…', a.transfer, 'data-purpose="transfer"'),
      button('end-consult', 'End consult', a.end_consult),
      button('complete-transfer', 'Transfer to consulted', a.complete_transfer),
      button('start-conference', 'Start conference', a.start_conference),
      button('leave', i.in_control ? 'Exit conference' : 'Leave', a.leave),
      button('record', 'Record', a.record),
      button('end', 'End', a.end),
    ].join('');
    const extras = [
      a.dtmf ? `<input class="dtmf-digits" size="6" aria-label="DTMF digits" placeholder="digits">${button('dtmf', 'Send DTMF', true)}` : '',
      a.follow_up.length ? `<select class="follow-up-channel" aria-label="Follow-up channel">${a.follow_up.map((c) => `<option>${esc(c)}</option>`).join('')}</select>${button('follow-up', 'Follow up', true)}` : '',
    ].join(' ');
    const history = i.history.length ? `<ul class="history">${i.history.map((h) => `<li>${esc(h.by)}: ${esc(h.text)}</li>`).join('')}</ul>` : '';
    return `<div class="card" data-interaction="${i.id}" part="interaction">
      <div class="row"><strong>${esc(i.channel)}</strong> ${esc(i.from)} · <span class="timer connected"></span>
        · <span class="call-state">${esc(STATE_TEXT[i.call_state] ?? i.call_state)}</span>
        ${i.held !== null ? '<span class="timer">held <span class="held-timer"></span></span>' : ''}
        ${i.consulting !== null ? '<span class="timer">consult <span class="consult-timer"></span></span>' : ''}
        ${i.consult_held !== null ? '<span class="timer">consult held <span class="consult-held-timer"></span></span>' : ''}
        ${i.in_control ? '<span class="engaged">in control</span>' : ''}${i.recording ? ' <span aria-label="recording">● rec</span>' : ''}</div>
      <ul class="participants" aria-label="Participants">${people}</ul>
      <div class="row controls" role="toolbar" aria-label="Call controls">${controls}</div>
      ${targetForm}<div class="row">${extras}</div>${history}</div>`;
  }

  #markup(view) {
    const s = view.status;
    const conn = this.client?.connection ?? 'connecting';
    const head = `<div class="row" part="status">
      <span class="badge" style="background:${esc(s.colour)}"></span>
      <span class="label" id="status-label">${esc(s.label)}</span>
      ${s.engaged ? `<span class="engaged" id="engaged">${esc(s.engaged)}</span>` : ''}
      <span class="timer" id="status-timer" aria-label="time in status"></span>
      ${view.logged_in ? `<label class="sr" for="status">Status</label><select id="status">${view.choices.map((c) =>
        `<option value="${esc(c.id)}" ${c.selected ? 'selected' : ''}>${esc(c.label)}</option>`).join('')}
        ${view.choices.some((c) => c.selected) ? '' : `<option selected disabled>${esc(s.label)}</option>`}</select>` : ''}
      ${view.can_login ? '<button data-action="login">Log in</button>' : ''}
      ${view.can_logout ? '<button data-action="logout">Log out</button>' : ''}
      <span class="conn" id="connection">${esc(conn)}</span></div>`;
    const rona = view.rona ? `<section class="card rona" role="alertdialog" aria-label="RONA" id="rona">
      <strong>RONA</strong> — an offer was not answered${view.rona.cause && view.rona.cause !== 'no_answer' ? ` (${esc(view.rona.cause)})` : ''}.
      <div class="row"><button data-action="go-idle">Go idle</button><button data-action="go-available">Go available</button></div></section>` : '';
    const offers = view.offers.map((o) => `<div class="card" data-offer="${o.id}" part="offer">
      <div class="row"><strong>${esc(o.join ? `${o.join.purpose} request from ${o.join.by}` : o.channel)}</strong> · ${esc(o.from)}${o.queue ? ` · ${esc(o.queue)}` : ''} · <span class="remaining timer"></span></div>
      <div class="row"><button class="accept" data-action="accept" data-id="${o.id}" ${o.can_accept ? '' : 'disabled'}>Accept</button>
      <button data-action="decline" data-id="${o.id}" ${o.can_decline ? '' : 'disabled'}>Decline</button></div></div>`).join('');
    const work = view.interactions.map((i) => this.#interaction(view, i)).join('');
    return `${head}${rona}<section aria-label="Offers">${offers}</section><section aria-label="Interactions">${work}</section>`;
  }
}

const partyName = (party) => (party === 'customer' ? 'Customer' : party.agent ?? party.number);
const STATE_TEXT = { connected: 'connected', on_hold: 'on hold', consult_requested: 'consult requested', consulting: 'consulting',
  consult_on_hold: 'consult on hold', conference_requested: 'conference requested', conference: 'conference', customer_left: 'customer left (wrap-up assist)' };

if (!customElements.get('ringside-agent')) customElements.define('ringside-agent', RingsideAgent);
