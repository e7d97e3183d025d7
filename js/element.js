// <ringside-agent url="wss://…/ws" token="…"> : a complete agent desk widget
// for CRM pages. Themable through CSS custom properties, keyboard usable,
// with an ARIA live region announcing offers, previews and RONA. Campaign
// records (push preview, SPEC P1-P8, W1-W7) get a card each: the preview,
// then the record being worked, its call, the call result and callbacks.
// Below the desk, the team's presence roster (SPEC S6, S12); supervisors
// also get queue tiles and, per row, monitoring (M1-M3) and log out (S9).
// `roster="off"` leaves the roster out.
import { connect } from './index.js';

/** @import { Channel } from './types.gen.js' */

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
fieldset { border: 1px solid var(--ringside-border, #d0d7de); border-radius: 6px; padding: 2px 8px 4px; margin: 0; }
legend { font-size: 12px; color: var(--ringside-muted, #57606a); }
input, select { font: inherit; }
.indicator { display: inline-flex; gap: 4px; align-items: center; padding: 2px 8px; border-radius: 10px; font-weight: 600;
  background: var(--ringside-campaign, #fff8c5); border: 1px solid var(--ringside-campaign-border, #d4a72c); }
.indicator.flashing { animation: ringside-campaign-flash .5s steps(2, start) infinite; }
@keyframes ringside-campaign-flash { to { background: var(--ringside-campaign-flash, #d4a72c); color: #fff; } }
@media (prefers-reduced-motion: reduce) { .indicator.flashing { animation: none; outline: 3px solid var(--ringside-campaign-border, #d4a72c); } }
.record { border-left: 4px solid var(--ringside-campaign-border, #d4a72c); }
.record .origin { font-weight: 600; }
.record dl { display: grid; grid-template-columns: max-content 1fr; gap: 0 10px; margin: 4px 0; }
.record dt { color: var(--ringside-muted, #57606a); }
.record dd { margin: 0; }
.chain { margin: 4px 0; padding-left: 22px; }
.chain li { margin: 2px 0; }
.chain li[aria-current] { font-weight: 600; }
.chain em { font-style: normal; font-size: 12px; color: var(--ringside-accent, #1f883d); }
.hint { font-size: 12px; color: var(--ringside-flash, #d1242f); }
.note { font-size: 12px; color: var(--ringside-muted, #57606a); }
.record .card { margin-left: 0; }
.monitored { color: var(--ringside-flash, #d1242f); font-size: 12px; font-weight: 600; }
#team { margin-top: 12px; }
#team h2 { font-size: 14px; margin: 0 0 6px; }
.tiles { display: flex; gap: 8px; flex-wrap: wrap; margin-bottom: 8px; }
.tile { border: 1px solid var(--ringside-border, #d0d7de); border-radius: var(--ringside-radius, 8px); padding: 6px 10px; min-width: 110px; }
.tile strong { display: block; }
.tile .waiting { font-size: 20px; font-weight: 600; }
.tile.busy { border-color: var(--ringside-flash, #d1242f); }
table.roster { border-collapse: collapse; width: 100%; }
.roster th, .roster td { text-align: left; vertical-align: top; padding: 4px 6px; border-bottom: 1px solid var(--ringside-border, #d0d7de); }
.roster th { font-size: 12px; color: var(--ringside-muted, #57606a); font-weight: 600; }
.roster ul { margin: 0; padding: 0; list-style: none; }
.roster .secondary { color: var(--ringside-muted, #57606a); }
.monitoring-state { font-weight: 600; color: var(--ringside-engaged, #6f42c1); }
`;

const esc = (text) => String(text ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export class RingsideAgent extends HTMLElement {
  static observedAttributes = ['token'];
  #root = this.attachShadow({ mode: 'open' });
  #shape = '';
  #codes = new Map();
  /** The open consult / conference / transfer form: { id, purpose }. */
  #targetFor = null;
  /** The open form of a campaign record: { id, form: 'edit' | 'transfer' | 'reschedule' }. */
  #recordForm = null;
  /** Callbacks at this agent, by record id, as the last view showed them (W6). */
  #callbacks = new Map();
  /** The connected client, once connected. */
  client = null;

  async connectedCallback() {
    if (this.client) return;
    this.#root.innerHTML = `<style>${STYLE}</style><div class="sr" aria-live="assertive" id="live"></div><div id="desk">Connecting…</div>`
      + '<section id="team" aria-label="Team" hidden></section><div id="toast"></div>';
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
    // The roster moves only with the server's roster frames and this
    // desk's own state (its monitorings), never by polling.
    this.client.on('roster', () => this.#renderRoster());
    this.client.on('view', () => this.#renderRoster());
    if (this.getAttribute('roster') !== 'off') this.client.subscribeRoster();
    this.client.on('offer', (offer) => this.#announce(`New ${offer.channel} offer from ${offer.from}`));
    this.client.on('preview', (card) => this.#announce(`New ${ORIGIN_TEXT[card.origin].toLowerCase()} preview: ${card.record.name}, `
      + `campaign ${card.campaign.name}${card.remaining ? `; accept within ${card.remaining}` : ''}`));
    this.client.on('view', (view) => this.#sounds(view));
    this.client.on('rona', (rona) => {
      this.#announce('RONA: the offer was not answered. Choose Go idle or Go available.');
      if (rona.notification === 'toast') this.#toast('RONA: an offer was not answered');
    });
    this.client.on('nack', (nack) => this.#toast(nack.message, nack.code));
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

  #toast(text, code) {
    const toast = this.#root.getElementById('toast');
    toast.innerHTML = `<div class="toast" role="status"${code ? ` data-code="${esc(code)}"` : ''}>${esc(text)}</div>`;
    clearTimeout(this.#toastTimer);
    this.#toastTimer = setTimeout(() => { toast.textContent = ''; }, 5000);
  }
  #toastTimer = 0;

  /**
   * Plays the sound a campaign names for a callback event (W6): `offered`,
   * `held`, `retrieved` or `ended`. Replace it to map sound names to files,
   * route them to another device or stay silent:
   * `element.playSound = (sound, event, card) => ...`.
   */
  playSound(sound, _event, _card) {
    const audio = new Audio(sound);
    audio.play()?.catch(() => {});
  }

  /** Callback events between two views: offered, held, retrieved, ended (W6). */
  #sounds(view) {
    if (!view.ready) return;
    const now = new Map();
    const play = (card, event) => {
      const sound = card.campaign.sounds?.[event];
      if (!sound) return;
      try {
        this.playSound(sound, event, card);
      } catch (error) {
        queueMicrotask(() => { throw error; });
      }
    };
    for (const card of view.outbound) {
      if (card.origin === 'campaign') continue;
      const call = card.interaction === null ? null : view.interactions.find((i) => i.id === card.interaction);
      const live = call?.state === 'active';
      const held = live && call.participants.some((p) => p.party === 'customer' && p.held);
      const before = this.#callbacks.get(card.record.id);
      if (!before && card.record.status === 'previewing') play(card, 'offered');
      if (before && held && !before.held) play(card, 'held');
      if (before && live && !held && before.held) play(card, 'retrieved');
      if (before?.live && !live) play(card, 'ended');
      now.set(card.record.id, { card, live, held });
    }
    for (const [id, before] of this.#callbacks) {
      if (!now.has(id) && before.live) play(before.card, 'ended');
    }
    this.#callbacks = now;
  }

  async #onClick(event) {
    const button = event.target.closest('button[data-action]');
    if (!button || !this.client) return;
    const { action, id, participant, purpose } = button.dataset;
    const c = this.client;
    const n = Number(id);
    const card = button.closest('[data-interaction]');
    const r = Number(button.dataset.record);
    const item = button.closest('[data-record-card]');
    const field = (selector) => item?.querySelector(selector)?.value.trim() ?? '';
    const closing = (sent) => sent.then((ack) => {
      this.#recordForm = null;
      this.#render(c.view);
      return ack;
    });
    const run = {
      login: () => {
        // SPEC P1: the push-preview media are chosen at login.
        const boxes = /** @type {NodeListOf<HTMLInputElement>} */ (this.#root.querySelectorAll('input[name="preview-media"]:checked'));
        const media = [...boxes].map((box) => /** @type {Channel} */ (box.value));
        return c.login(media.length ? { previewMedia: media } : undefined);
      },
      'get-record': () => c.getRecord(),
      'accept-preview': () => c.acceptPreview(r),
      'reject-preview': () => c.rejectPreview(r),
      dial: () => {
        const record = c.view.outbound.find((o) => o.record.id === r)?.record;
        const number = field('.dial-number');
        return c.dial(r, number && number !== record?.chain[record.active] ? number : null);
      },
      'cancel-record': () => c.cancelRecord(r),
      'update-record': () => c.updateRecord(r),
      'set-active': () => c.setActive(r, Number(button.dataset.index)),
      'add-chained': () => c.addChained(r, field('.chained-number')),
      'cancel-reschedule': () => c.cancelReschedule(r),
      'mark-done': () => c.markDone(r, { stop: button.dataset.stop === 'true' }),
      'open-form': () => {
        this.#recordForm = { id: button.dataset.record, form: button.dataset.form };
        this.#render(c.view);
        /** @type {HTMLElement | null} */ (this.#root.querySelector(`[data-record-card="${r}"] .record-form :is(input, select)`))?.focus();
      },
      'close-form': () => {
        this.#recordForm = null;
        this.#render(c.view);
        /** @type {HTMLElement | null} */ (this.#root.querySelector(`[data-record-card="${r}"] button[data-action="open-form"]`))?.focus();
      },
      'transfer-record': () => closing(c.transferRecord(r, field('.transfer-agent'))),
      'edit-record': () => {
        const record = c.view.outbound.find((o) => o.record.id === r)?.record;
        const fields = {};
        for (const input of item.querySelectorAll('input[data-field]')) {
          if (input.value !== (record?.fields[input.dataset.field] ?? '')) fields[input.dataset.field] = input.value;
        }
        return closing(Object.keys(fields).length ? c.editRecord(r, fields) : Promise.resolve());
      },
      reschedule: () => {
        // The agent's local wall time, as the browser's zone reads it, to UTC ms.
        const at = new Date(field('.callback-at'));
        if (Number.isNaN(at.getTime())) throw Object.assign(new Error('Choose the date and time of the callback'), { code: 'bad_argument' });
        const personal = item.querySelector('input.callback-kind:checked')?.value !== 'campaign';
        return closing(c.reschedule(r, { at, number: field('.callback-number') || null, personal }));
      },
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
      monitor: () => c.monitor(n, button.dataset.agent),
      'pause-monitoring': () => c.pauseMonitoring(n),
      'resume-monitoring': () => c.resumeMonitoring(n),
      'barge-in': () => c.bargeIn(n),
      'stop-monitoring': () => c.stopMonitoring(n),
      'logout-agent': () => c.logoutAgent(button.dataset.agent),
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
      this.#toast(error.message, error.code);
    }
  }

  async #onChange(event) {
    const select = event.target;
    if (select.id === 'status' && this.client) {
      try { await this.client.setStatus(select.value); } catch (error) { this.#toast(error.message); }
    } else if (this.client && (select.classList.contains('call-result') || select.classList.contains('do-not-call'))) {
      const record = Number(select.dataset.record);
      try {
        if (select.classList.contains('call-result')) await this.client.callResult(record, select.value);
        else if (select.checked) await this.client.doNotCall(record);
      } catch (error) {
        this.#toast(error.message, error.code);
        this.#shape = ''; // show the record as it is again
        this.#render(this.client.view);
      }
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
    // A form belongs to a record at this agent; one that left takes it along.
    if (this.#recordForm && !view.outbound.some((o) => String(o.record.id) === this.#recordForm.id)) this.#recordForm = null;
    const shape = JSON.stringify([this.client?.connection, view.logged_in, view.status.id, view.status.label, view.status.engaged,
      view.choices, view.rona, view.can_login, view.can_logout,
      view.offers.map((o) => [o.id, o.can_accept, o.can_decline]),
      view.interactions.map((i) => [i.id, i.state, i.call_state, i.actions, i.participants, i.recording, i.history.length, i.held !== null, i.consult_held !== null, i.monitored]),
      [...this.#codes], this.#targetFor,
      view.preview_media, view.preview_paused, view.can_get_record, this.#recordForm,
      view.outbound.map((o) => [o.record, o.origin, o.interaction, o.dialled, o.dial_outcome, o.do_not_call, o.actions,
        o.remaining !== null, o.stale_in !== null, this.#doneRefusal(o)])]);
    if (shape !== this.#shape) {
      this.#shape = shape;
      const kept = this.#keep();
      desk.innerHTML = this.#markup(view);
      this.#restore(kept);
    }
    const indicator = this.#root.getElementById('campaign-indicator');
    if (indicator) {
      indicator.classList.toggle('flashing', view.campaign_flashing);
      indicator.toggleAttribute('data-flashing', view.campaign_flashing);
      indicator.setAttribute('aria-label', view.campaign_flashing ? 'Outbound campaign: a preview waits for accept or reject' : 'Outbound campaign');
    }
    for (const o of view.outbound) {
      const card = this.#root.querySelector(`[data-record-card="${o.record.id}"]`);
      if (!card) continue;
      for (const [cls, text] of [['.remaining', o.remaining], ['.stale-in', o.stale_in]]) {
        const el = card.querySelector(`:scope > .row ${cls}`);
        if (el) el.textContent = text ?? '';
      }
      const accept = card.querySelector('button[data-action="accept-preview"]');
      accept?.classList.toggle('flashing', o.flashing);
      accept?.toggleAttribute('data-flashing', o.flashing);
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

  /**
   * What the user typed or chose in the desk's inputs, and where the focus
   * was, so a rebuild for a state change keeps them.
   */
  #keep() {
    const values = new Map();
    for (const input of /** @type {NodeListOf<HTMLInputElement>} */ (this.#root.querySelectorAll('[data-keep]'))) {
      values.set(input.dataset.keep, input.type === 'checkbox' || input.type === 'radio' ? input.checked : input.value);
    }
    const focused = /** @type {HTMLElement | null} */ (this.#root.activeElement);
    const key = focused?.dataset?.keep ? `[data-keep="${CSS.escape(focused.dataset.keep)}"]`
      : focused?.dataset?.action ? ['action', 'id', 'record', 'index', 'participant', 'purpose', 'form', 'stop', 'agent']
        .filter((k) => focused.dataset[k] !== undefined).map((k) => `[data-${k}="${CSS.escape(focused.dataset[k])}"]`).join('') : null;
    return { values, key };
  }

  #restore({ values, key }) {
    for (const input of /** @type {NodeListOf<HTMLInputElement>} */ (this.#root.querySelectorAll('[data-keep]'))) {
      if (!values.has(input.dataset.keep)) continue;
      const value = values.get(input.dataset.keep);
      if (input.type === 'checkbox' || input.type === 'radio') input.checked = value;
      else input.value = value;
    }
    if (key) /** @type {HTMLElement | null} */ (this.#root.querySelector(key))?.focus();
  }

  /** Why mark done is refused while its phase allows it: shown beside Done (P7, W4). */
  #doneRefusal(o) {
    const phase = o.record.status === 'after_call' || (o.record.status === 'owned' && o.record.schedule);
    if (o.actions.done || !phase || !this.client) return null;
    return this.client.check({ mark_done: { record: o.record.id, stop: false } });
  }

  /** One campaign record card (P2-P8, W1-W7): its phase's controls, exactly as `actions` allows. */
  #record(view, o) {
    const r = o.record;
    const a = o.actions;
    const id = r.id;
    const active = r.chain[r.active] ?? '';
    const button = (action, label, enabled, extra = '') =>
      enabled ? `<button data-action="${action}" data-record="${id}" ${extra}>${label}</button>` : '';
    const formOpen = this.#recordForm?.id === String(id) ? this.#recordForm.form : null;
    const opener = (form, label, enabled) => button('open-form', label, enabled && formOpen !== form, `data-form="${form}" aria-expanded="false"`);
    const fields = o.campaign.fields.length ? `<dl aria-label="Campaign data">${o.campaign.fields.map((f) =>
      `<dt>${esc(f)}</dt><dd data-field-value="${esc(f)}">${esc(r.fields[f] ?? '')}</dd>`).join('')}</dl>` : '';
    const chain = `<ol class="chain" aria-label="Chained records">${r.chain.map((number, index) => {
      const current = index === r.active;
      return `<li data-index="${index}"${current ? ' aria-current="true"' : ''}><span class="number">${esc(number)}</span>${current ? ' <em>active</em>' : ''}
        ${button('set-active', 'Set active', a.set_active && !current, `data-index="${index}" aria-label="Set ${esc(number)} active"`)}</li>`;
    }).join('')}</ol>`;
    const addChained = a.add_chained ? `<div class="row"><input class="chained-number" data-keep="chained-${id}" aria-label="New chained record: number" placeholder="+46 70 …" size="14">
      ${button('add-chained', 'New chained record', true)}</div>` : '';
    const schedule = r.schedule ? `<p class="schedule row">Callback ${r.schedule.kind === 'personal' ? '(personal)' : '(campaign)'} at
      <time datetime="${new Date(r.schedule.at).toISOString()}">${esc(new Date(r.schedule.at).toLocaleString())}</time>${r.schedule.number ? ` on ${esc(r.schedule.number)}` : ''}
      ${button('cancel-reschedule', 'Cancel callback', a.cancel_reschedule)}</p>` : '';
    const dialled = o.dialled ? `<p class="dialled">${r.status === 'dialling' ? 'Dialling' : 'Dialled'} <span class="number">${esc(o.dialled)}</span>${o.dial_outcome ? ` · <span class="dial-outcome">${esc(OUTCOME_TEXT[o.dial_outcome] ?? o.dial_outcome)}</span>` : ''}</p>` : '';
    const preview = r.status === 'previewing' ? `<div class="row" role="group" aria-label="Preview">
      <button class="accept" data-action="accept-preview" data-record="${id}" ${a.accept ? '' : 'disabled'}>Accept</button>
      <button data-action="reject-preview" data-record="${id}" ${a.reject ? '' : 'disabled'}>Reject</button></div>` : '';
    const connect = a.dial ? `<div class="row"><label>Number <input class="dial-number" data-keep="dial-${id}-${r.active}-${esc(active)}" value="${esc(active)}" size="18"></label>
      ${button('dial', 'Connect', true)}</div>` : '';
    const results = a.call_result || r.status === 'after_call' ? `<label>Call result <select class="call-result" data-record="${id}" ${a.call_result ? '' : 'disabled'}>
      <option value="" disabled ${r.result ? '' : 'selected'}>Choose…</option>
      ${o.campaign.results.map((x) => `<option value="${esc(x)}" ${x === r.result ? 'selected' : ''}>${esc(label(x))}</option>`).join('')}</select></label>` : '';
    const dnc = a.do_not_call || o.do_not_call ? `<label><input type="checkbox" class="do-not-call" data-record="${id}" ${o.do_not_call ? 'checked disabled' : ''}>
      Do not call <span class="note">(off every campaign's list)</span></label>` : '';
    const refusal = this.#doneRefusal(o);
    const showDone = a.done || refusal;
    const done = showDone ? `<button data-action="mark-done" data-record="${id}" data-stop="false" ${a.done ? '' : 'disabled'}>Done</button>
      <button data-action="mark-done" data-record="${id}" data-stop="true" ${a.done ? '' : 'disabled'}>Done and stop</button>
      ${refusal ? `<span class="hint" role="note" data-code="${esc(refusal.code)}">${esc(refusal.message)}</span>` : ''}` : '';
    const tools = [
      button('cancel-record', 'Cancel', a.cancel),
      opener('transfer', 'Transfer…', a.transfer),
      opener('edit', 'Edit…', a.edit && o.campaign.fields.length > 0),
      button('update-record', 'Update record', a.update),
      opener('reschedule', r.schedule ? 'Reschedule… (callback set)' : 'Reschedule…', a.reschedule),
    ].join('');
    let form = '';
    if (formOpen === 'transfer' && a.transfer) {
      form = `<div class="row record-form" role="group" aria-label="Transfer the record">
        <label>Agent <input class="transfer-agent" data-keep="transfer-${id}" placeholder="ben" size="10"></label>
        ${button('transfer-record', 'Transfer', true)}${button('close-form', 'Cancel', true)}</div>`;
    } else if (formOpen === 'edit' && a.edit) {
      form = `<div class="row record-form" role="group" aria-label="Edit campaign data">
        ${o.campaign.fields.map((f) => `<label>${esc(f)} <input data-field="${esc(f)}" data-keep="edit-${id}-${esc(f)}" value="${esc(r.fields[f] ?? '')}" size="12"></label>`).join('')}
        ${button('edit-record', 'Save', true)}${button('close-form', 'Cancel', true)}</div>`;
    } else if (formOpen === 'reschedule' && a.reschedule) {
      const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      form = `<div class="record-form" role="group" aria-label="Reschedule">
        <div class="row"><label>Callback time <input type="datetime-local" step="1" class="callback-at" data-keep="at-${id}" value="${r.schedule ? localInput(r.schedule.at) : ''}"></label>
        <span class="note">your time zone: ${esc(zone)}</span></div>
        <div class="row"><label>Number <input class="callback-number" data-keep="at-number-${id}" placeholder="${esc(active)}" value="${esc(r.schedule?.number ?? '')}" size="16"></label>
        <fieldset><legend>Who calls back</legend>
          <label><input type="radio" class="callback-kind" name="kind-${id}" value="personal" data-keep="kind-p-${id}" ${r.schedule?.kind === 'campaign' ? '' : 'checked'}> Personal callback (you)</label>
          <label><input type="radio" class="callback-kind" name="kind-${id}" value="campaign" data-keep="kind-c-${id}" ${r.schedule?.kind === 'campaign' ? 'checked' : ''}> Campaign callback (any agent)</label>
        </fieldset></div>
        <div class="row">${button('reschedule', r.schedule ? 'Change callback' : 'Set callback', true)}${button('close-form', 'Close', true)}</div></div>`;
    }
    const call = o.interaction === null ? null : view.interactions.find((i) => i.id === o.interaction);
    return `<div class="card record" data-record-card="${id}" part="record" role="group" aria-label="Campaign record ${esc(r.name)}">
      <div class="row"><strong class="campaign-name">${esc(o.campaign.name)}</strong> · <span class="origin">${esc(ORIGIN_TEXT[o.origin] ?? o.origin)}</span>
        · <span class="phase">${esc(PHASE_TEXT[r.status] ?? r.status)}</span>
        ${o.remaining !== null ? '<span class="timer">accept within <span class="remaining"></span></span>' : ''}
        ${o.stale_in !== null ? '<span class="timer">stale in <span class="stale-in"></span></span>' : ''}
        ${o.do_not_call ? '<span class="engaged">do not call</span>' : ''}</div>
      <div class="row"><span class="label contact-name">${esc(r.name)}</span>${r.attempts ? `<span class="note">${r.attempts} attempt${r.attempts === 1 ? '' : 's'}</span>` : ''}</div>
      ${fields}${chain}${addChained}${schedule}${dialled}${preview}${connect}
      ${call ? this.#interaction(view, call, true) : ''}
      <div class="row">${results}${dnc}</div>
      <div class="row" role="toolbar" aria-label="Record actions">${tools}</div>${form}
      <div class="row">${done}</div></div>`;
  }

  /** One interaction card: participants, call controls, wrap-up. */
  #interaction(view, i, campaign = false) {
    const a = i.actions;
    const button = (action, label, enabled, extra = '') =>
      enabled ? `<button data-action="${action}" data-id="${i.id}" ${extra}>${label}</button>` : '';
    if (i.state === 'wrap_up' && campaign) {
      // The call of a campaign record closes with its record (P7): no code here.
      return `<div class="card" data-interaction="${i.id}" part="interaction"><div class="row"><strong>${esc(i.channel)}</strong>
        ${esc(i.from)} · <span class="timer connected"></span> · <span class="call-state">call ended</span>
        <span class="timer">after call <span class="wrap-timer"></span></span></div></div>`;
    }
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
        ${i.in_control ? '<span class="engaged">in control</span>' : ''}${i.recording ? ' <span aria-label="recording">● rec</span>' : ''}
        ${i.monitored ? '<span class="monitored">monitored by a supervisor</span>' : ''}</div>
      <ul class="participants" aria-label="Participants">${people}</ul>
      <div class="row controls" role="toolbar" aria-label="Call controls">${controls}</div>
      ${targetForm}<div class="row">${extras}</div>${history}</div>`;
  }

  #rosterShape = '';

  /** The team's roster; rebuilt only when what it shows changes, timers updated in place. */
  #renderRoster() {
    const team = this.#root.getElementById('team');
    const c = this.client;
    if (!team || !c) return;
    const { entries, queues } = c.roster;
    const view = c.view;
    const monitorings = view.ready ? view.monitoring : [];
    const shape = JSON.stringify([view.supervisor,
      entries.map((e) => [e.user, e.me, e.status, e.label, e.colour, e.secondary, e.activity, e.logged_in, e.connected, e.location, e.queues,
        e.can_log_out, e.interactions.map((w) => [w.id, w.channel, w.state, w.monitoring, w.can_monitor])]),
      queues.map((q) => [q.queue, q.waiting, q.available, q.longest_wait !== null]),
      monitorings.map((m) => [m.interaction, m.state, m.mode, m.agents, m.actions])]);
    if (shape !== this.#rosterShape) {
      this.#rosterShape = shape;
      const kept = this.#keep();
      // A roster of this user alone (no team, no favourites) shows nothing new.
      const shown = queues.length > 0 || entries.some((e) => !e.me);
      team.hidden = !shown;
      team.innerHTML = shown ? this.#rosterMarkup(view, entries, queues, monitorings) : '';
      this.#restore(kept);
    }
    for (const e of entries) {
      const row = team.querySelector(`tr[data-user="${CSS.escape(e.user)}"]`);
      if (!row) continue;
      row.querySelector('.status-timer').textContent = e.timer ?? '';
      for (const w of e.interactions) {
        const timer = row.querySelector(`[data-work="${w.id}"] .work-timer`);
        if (timer) timer.textContent = w.timer;
      }
    }
    for (const q of queues) {
      const wait = team.querySelector(`[data-queue="${CSS.escape(q.queue)}"] .wait-timer`);
      if (wait) wait.textContent = q.longest_wait ?? '–';
    }
  }

  /** Queue tiles and one row per followed user; supervisors get the interactions, queues and actions (S6, S9, M1). */
  #rosterMarkup(view, entries, queues, monitorings) {
    const sup = view.supervisor;
    const byCall = new Map(monitorings.map((m) => [m.interaction, m]));
    const tiles = queues.length ? `<div class="tiles" role="list" aria-label="Queues">${queues.map((q) =>
      `<div class="tile${q.waiting ? ' busy' : ''}" role="listitem" data-queue="${esc(q.queue)}" part="queue-tile"><strong>${esc(q.queue)}</strong>
        <span class="waiting">${q.waiting}</span> waiting<br><span class="note">longest <span class="timer wait-timer"></span></span><br>
        <span class="available">${q.available}</span> available</div>`).join('')}</div>` : '';
    const rows = entries.map((e) => {
      const activity = [e.interactions.length ? 'Engaged' : '', ACTIVITY_TEXT[e.activity] ?? '',
        !e.logged_in ? 'Logged out' : e.connected ? '' : 'Disconnected'].filter(Boolean).join(' · ');
      const work = e.interactions.map((w) => `<li data-work="${w.id}">${esc(label(w.channel))} · ${w.state === 'wrap_up' ? 'wrap-up' : 'active'}
        <span class="timer work-timer"></span></li>`).join('');
      const watched = e.interactions.map((w) => byCall.get(w.id)).find(Boolean);
      const first = e.interactions.find((w) => w.state === 'active');
      const actions = [
        watched ? this.#monitoringControls(watched)
          : first?.can_monitor ? `<button data-action="monitor" data-id="${first.id}" data-agent="${esc(e.user)}">Monitor</button>` : '',
        e.can_log_out ? `<button data-action="logout-agent" data-agent="${esc(e.user)}">Log out</button>` : '',
      ].join(' ');
      return `<tr data-user="${esc(e.user)}" part="roster-row"><td class="user">${esc(e.user)}${e.me ? ' (you)' : ''}
          ${e.location ? `<div class="note location">at ${esc(e.location)}</div>` : ''}</td>
        <td><span class="badge" style="background:${esc(e.colour)}"></span> <span class="roster-status">${esc(e.label)}</span>${e.secondary ? ` <span class="secondary">· ${esc(e.secondary)}</span>` : ''}</td>
        <td class="timer status-timer"></td><td class="activity">${esc(activity)}</td>
        ${sup ? `<td><ul class="work" aria-label="Interactions">${work}</ul></td>
          <td class="queues">${Object.entries(e.queues).map(([q, skill]) => `${esc(q)} ${skill}`).join(', ')}</td><td class="row-actions">${actions}</td>` : ''}</tr>`;
    }).join('');
    const shown = new Set(entries.flatMap((e) => e.interactions.map((w) => w.id)));
    const elsewhere = monitorings.filter((m) => !shown.has(m.interaction)).map((m) => `<div class="card" data-monitoring="${m.interaction}">
      ${esc(label(m.channel))} ${esc(m.from)} through ${esc(m.agents.join(', '))}: ${this.#monitoringControls(m)}</div>`).join('');
    return `<h2>${sup ? 'Supervisor desk' : 'Team'}</h2>${tiles}<table class="roster"><thead><tr><th>Agent</th><th>Status</th><th>Time</th><th>Activity</th>
      ${sup ? '<th>Interactions</th><th>Queues</th><th>Actions</th>' : ''}</tr></thead><tbody>${rows}</tbody></table>${elsewhere}`;
  }

  /** A monitoring's M1 state and the actions the rules allow now. */
  #monitoringControls(m) {
    const button = (action, text, enabled) => (enabled ? `<button data-action="${action}" data-id="${m.interaction}">${text}</button>` : '');
    const state = m.mode === 'barge_in' ? 'Barged in' : m.state === 'monitoring_paused' ? 'Monitoring paused' : 'Monitoring';
    return `<span class="monitoring-state" data-state="${esc(m.state)}" data-mode="${esc(m.mode)}">${state}</span>
      ${button('pause-monitoring', 'Pause', m.actions.pause)}${button('resume-monitoring', 'Resume', m.actions.resume)}
      ${button('barge-in', 'Barge in', m.actions.barge_in)}${button('stop-monitoring', 'Stop', m.actions.stop)}`;
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
      ${view.can_login ? `<fieldset class="preview-media"><legend>Push preview media</legend>${CHANNELS.map((c) =>
        `<label><input type="checkbox" name="preview-media" value="${c}" data-keep="preview-${c}"> ${esc(label(c))}</label>`).join(' ')}</fieldset>
        <button data-action="login">Log in</button>` : ''}
      ${view.can_logout ? '<button data-action="logout">Log out</button>' : ''}
      <span class="conn" id="connection">${esc(conn)}</span></div>`;
    const rona = view.rona ? `<section class="card rona" role="alertdialog" aria-label="RONA" id="rona">
      <strong>RONA</strong> — an offer was not answered${view.rona.cause && view.rona.cause !== 'no_answer' ? ` (${esc(view.rona.cause)})` : ''}.
      <div class="row"><button data-action="go-idle">Go idle</button><button data-action="go-available">Go available</button></div></section>` : '';
    const offers = view.offers.map((o) => `<div class="card" data-offer="${o.id}" part="offer">
      <div class="row"><strong>${esc(o.join ? `${o.join.purpose} request from ${o.join.by}` : o.channel)}</strong> · ${esc(o.from)}${o.queue ? ` · ${esc(o.queue)}` : ''} · <span class="remaining timer"></span></div>
      <div class="row"><button class="accept" data-action="accept" data-id="${o.id}" ${o.can_accept ? '' : 'disabled'}>Accept</button>
      <button data-action="decline" data-id="${o.id}" ${o.can_decline ? '' : 'disabled'}>Decline</button></div></div>`).join('');
    const linked = new Set(view.outbound.map((o) => o.interaction));
    const work = view.interactions.filter((i) => !linked.has(i.id)).map((i) => this.#interaction(view, i)).join('');
    const campaigns = view.logged_in && (view.preview_media.length || view.outbound.length || view.can_get_record);
    const bar = campaigns ? `<div class="row" part="campaign">
      <span class="indicator" id="campaign-indicator" role="img" aria-label="Outbound campaign">&#9742; Campaign</span>
      <span class="conn" id="preview-media">push preview: ${esc(view.preview_media.map(label).join(', ') || 'none')}${view.preview_paused ? ' · stopped' : ''}</span>
      ${view.can_get_record ? '<button data-action="get-record">Get record</button>' : ''}</div>` : '';
    const records = view.outbound.map((o) => this.#record(view, o)).join('');
    return `${head}${rona}<section aria-label="Campaign">${bar}${records}</section>`
      + `<section aria-label="Offers">${offers}</section><section aria-label="Interactions">${work}</section>`;
  }
}

const partyName = (party) => (party === 'customer' ? 'Customer' : party.agent ?? party.number ?? `${party.supervisor} (supervisor)`);
const ACTIVITY_TEXT = { on_call: 'On a call', in_interaction: 'In an interaction', in_meeting: 'In a meeting' };
const CHANNELS = ['voice', 'chat', 'email', 'social'];
/** `no_answer` → `No answer`. */
const label = (id) => String(id).charAt(0).toUpperCase() + String(id).slice(1).replace(/_/g, ' ');
const ORIGIN_TEXT = { campaign: 'Campaign', callback: 'Callback', personal_callback: 'Personal callback' };
const PHASE_TEXT = { previewing: 'preview', owned: 'accepted, not dialled', dialling: 'dialling', connected: 'on the call', after_call: 'after the call',
  scheduled: 'scheduled', done: 'done', do_not_call: 'do not call', stale: 'stale' };
const OUTCOME_TEXT = { answered: 'answered', no_answer: 'no answer', busy: 'busy', wrong_number: 'wrong number' };
/** A time as `<input type="datetime-local">` shows it: the agent's local wall time. */
const localInput = (ms) => {
  const d = new Date(ms);
  const two = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
};
const STATE_TEXT = { connected: 'connected', on_hold: 'on hold', consult_requested: 'consult requested', consulting: 'consulting',
  consult_on_hold: 'consult on hold', conference_requested: 'conference requested', conference: 'conference', customer_left: 'customer left (wrap-up assist)' };

if (!customElements.get('ringside-agent')) customElements.define('ringside-agent', RingsideAgent);
