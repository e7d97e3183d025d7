// <ringside-agent url="wss://…/ws" token="…"> : a complete agent desk widget
// for CRM pages. Themable through CSS custom properties, keyboard usable,
// with an ARIA live region announcing offers, previews and RONA. Campaign
// records (push preview, SPEC P1-P8, W1-W7) get a card each: the preview,
// then the record being worked, its call, the call result and callbacks.
// Below the desk, the team's presence roster (SPEC S6, S12); supervisors
// also get queue tiles and, per row, monitoring (M1-M3) and log out (S9).
// `roster="off"` leaves the roster out.
import { connect } from './index.js';

/** @typedef {import('./index.js').Client} Client */
/** @typedef {import('./index.js').View} View */
/** @typedef {import('./index.js').OfferView} OfferView */
/** @typedef {import('./index.js').InteractionView} InteractionView */
/** @typedef {import('./index.js').OutboundView} OutboundView */
/** @typedef {import('./index.js').MonitoringView} MonitoringView */
/** @typedef {import('./index.js').RosterEntry} RosterEntry */
/** @typedef {import('./index.js').QueueTile} QueueTile */
/** @typedef {import('./index.js').Party} Party */
/** @typedef {import('./index.js').ConnectOptions} ConnectOptions */
/** @typedef {{ card: OutboundView, live: boolean, held: boolean }} CallbackSeen */

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
.conn.lost { font-size: 14px; font-weight: 600; color: #9a3412; }
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
@keyframes ringside-campaign-flash { to { background: var(--ringside-campaign-flash, #d4a72c); color: var(--ringside-fg, #1f2328); } }
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
.secondary { color: var(--ringside-muted, #57606a); }
.monitoring-state { font-weight: 600; color: var(--ringside-engaged, #6f42c1); }
`;

/** Text made safe inside markup and attribute values. @param {unknown} text */
const esc = (text) => String(text ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export class RingsideAgent extends HTMLElement {
  static observedAttributes = ['url', 'token', 'wasm-url'];
  #root = this.attachShadow({ mode: 'open' });
  /** Stops the page listeners of the running client (another tab's choice of a wrap-up code). */
  #listening = new AbortController();
  /** The open consult / conference / transfer form. @type {{ id: string, purpose: 'consult' | 'conference' | 'transfer' } | null} */
  #targetFor = null;
  /** The open form of a campaign record. @type {{ id: string, form: string } | null} */
  #recordForm = null;
  /** Callbacks at this agent, by record id, as the last view showed them (W6). @type {Map<number, CallbackSeen>} */
  #callbacks = new Map();
  /** Cancels the connection being made, while one is. @type {AbortController | null} */
  #starting = null;
  /** Why the engine could not start, shown until the next start. @type {string | null} */
  #failure = null;
  /** A status chosen in the list that waits for its required secondary status (S6). @type {string | null} */
  #pendingStatus = null;
  /** The connected client, once connected; null again after `close()`. @type {Client | null} */
  client = null;
  /** More options for `connect()` (an in-page simulator's transport and clock), read at each start. @type {Partial<ConnectOptions>} */
  connectOptions = {};

  constructor() {
    super();
    this.#root.innerHTML = `<style>${STYLE}</style><div class="sr" aria-live="assertive" id="live"></div><div id="desk"></div>`
      + '<section id="team" aria-label="Team" hidden></section><div id="toast" role="status"></div>';
    // Registered once for the element's life: moving it in the page must
    // not double every command.
    this.#root.addEventListener('click', (event) => this.#onClick(event));
    this.#root.addEventListener('change', (event) => this.#onChange(event));
    // Enter in a text field presses its form's or row's first button (send,
    // Connect, Save), as in a form.
    this.#root.addEventListener('keydown', (event) => {
      const field = /** @type {Element} */ (event.target);
      const key = /** @type {KeyboardEvent} */ (event).key;
      // Escape closes a target form, as a dialog.
      if (key === 'Escape') /** @type {HTMLElement | null} */ (field.closest('.target-form')?.querySelector('[data-action="cancel-target"]'))?.click();
      if (key !== 'Enter' || !field.matches('input:not([type=checkbox]):not([type=radio])')) return;
      /** @type {HTMLButtonElement | null | undefined} */ ((field.closest('.record-form') ?? field.closest('.row'))?.querySelector('button[data-action]:not([disabled])'))?.click();
    });
  }

  connectedCallback() {
    if (!this.client && !this.#starting) this.#start();
  }

  disconnectedCallback() {
    // A move (removed and inserted again in the same task) keeps the session.
    queueMicrotask(() => {
      if (!this.isConnected) this.close();
    });
  }

  /** @param {string} name @param {string | null} old @param {string | null} value */
  attributeChangedCallback(name, old, value) {
    if (old === value) return;
    if (!this.client && !this.#starting) {
      // A start that failed (the engine did not load) is tried again with
      // the new attributes.
      if (this.#failure !== null && this.isConnected) this.#start();
      return;
    }
    if (name === 'token') {
      // A refreshed token is used at the next connect; a live session stays.
      // While connecting, #start passes on the latest token itself.
      if (value) this.client?.updateToken(value);
    } else if (name === 'url') {
      this.close();
      if (this.isConnected) this.#start();
    }
    // A new `wasm-url` counts at the next start (the page loads the module
    // once).
  }

  /**
   * Closes the session and frees the engine; pending commands reject with
   * `closed`. Removing the element from the page does the same; inserting it
   * again starts a new session.
   */
  close() {
    this.#starting?.abort();
    this.#starting = null;
    const client = this.client;
    this.client = null;
    client?.close();
    this.#listening.abort();
    this.#targetFor = null;
    this.#recordForm = null;
    this.#callbacks = new Map();
    this.#render();
    this.#renderRoster();
  }

  async #start() {
    const starting = (this.#starting = new AbortController());
    const token = this.getAttribute('token') ?? '';
    this.#failure = null;
    this.#render();
    let client;
    try {
      client = await connect({ ...this.connectOptions, url: this.getAttribute('url') ?? '', token, wasmUrl: this.getAttribute('wasm-url') ?? undefined, signal: starting.signal });
    } catch (error) {
      if (starting.signal.aborted) return;
      this.#starting = null;
      this.#failure = error instanceof Error ? error.message : String(error);
      this.#render();
      return;
    }
    // Closed or removed while connecting: the signal has closed the client.
    if (starting.signal.aborted) return;
    this.#starting = null;
    this.client = client;
    // A wrap-up code chosen in another tab of this desk shows here too.
    this.#listening = new AbortController();
    globalThis.addEventListener('storage', (event) => { if (event.key?.startsWith(CODE_KEY)) this.#render(); }, { signal: this.#listening.signal });
    const latest = this.getAttribute('token');
    if (latest && latest !== token) client.updateToken(latest);
    /**
     * Listens while `client` is this element's, never after a close or a new url.
     * @template {keyof import('./index.js').ClientEvents} K
     * @param {K} type
     * @param {(payload: import('./index.js').ClientEvents[K]) => void} listener
     */
    const on = (type, listener) => client.on(type, (payload) => {
      if (this.client === client) listener(payload);
    });
    on('view', () => this.#render());
    on('connection', () => this.#render());
    // The roster moves only with the server's roster frames and this
    // desk's own state (its monitorings), never by polling.
    on('roster', () => this.#renderRoster());
    on('view', () => this.#renderRoster());
    if (this.getAttribute('roster') !== 'off') client.subscribeRoster();
    on('view', (view) => this.#announceOffers(view));
    on('preview', (card) => this.#announce(`New ${words(card.origin)} preview: ${card.record.name}, `
      + `campaign ${card.campaign.name}${card.remaining ? `; accept within ${card.remaining}` : ''}`));
    on('view', (view) => this.#sounds(view));
    // A record that leaves by itself (gone stale, not accepted in time,
    // taken back) is said so, by the name the desk last showed.
    on('view', (view) => {
      if (view.ready) for (const o of view.outbound) this.#recordNames.set(o.record.id, o.record.name);
    });
    on('record_ended', ({ record, outcome }) => {
      const why = outcome && RECORD_GONE_TEXT[outcome];
      if (why) this.#announce(`${this.#recordNames.get(record) ?? `Record ${record}`}: ${why}`);
      this.#recordNames.delete(record);
    });
    on('rona', (rona) => {
      if (rona.notification === 'toast') this.#toast(`RONA: ${ronaWhy(rona.cause)}`);
    });
    // A refusal shows once, from the action's rejection, not again from its nack.
    on('offer_ended', ({ outcome }) => {
      if (outcome === 'withdrawn') this.#announce('An offer was withdrawn');
    });
    on('view', (view) => this.#announceCalls(view));
    this.dispatchEvent(new CustomEvent('ringside-ready', { detail: client }));
    this.#render();
  }

  /**
   * Announces each offer the desk has not announced yet, and RONA, however
   * they came: an event, or the state after a reload, where no event says
   * it (O1, O3).
   * @param {View} view
   */
  #announceOffers(view) {
    const fresh = view.offers.filter((o) => !this.#announced.has(o.id));
    this.#announced = new Set(view.offers.map((o) => o.id));
    const said = fresh.map((o) => (o.join ? `${label(o.join.purpose)} request from ${o.join.by}`
      : `New ${o.channel} offer from ${o.from}`) + `, ${o.remaining} left`);
    // RONA too, from the view: after a reload no event says it.
    if (view.rona && !this.#ronaSaid) said.push(`RONA: ${ronaWhy(view.rona.cause)}. Choose Go idle or Go available.`);
    this.#ronaSaid = !!view.rona;
    if (said.length) this.#announce(said.join('. '));
  }
  /**
   * Tells of what happened on a call without this agent's doing: a consult
   * or conference request that was not taken (declined, unanswered), the
   * customer hanging up.
   * @param {View} view
   */
  #announceCalls(view) {
    const before = this.#callStates;
    this.#callStates = new Map(view.interactions.map((i) => [i.id, i.call_state]));
    for (const i of view.interactions) {
      const was = before.get(i.id) ?? '';
      const asked = END_CONSULT_TEXT[was] && !this.#withdrawn.delete(i.id);
      if (asked && (i.call_state === 'connected' || i.call_state === 'on_hold')) {
        this.#toast(`The ${was === 'consult_requested' ? 'consult' : 'conference'} request was not taken`);
      }
      if (i.call_state === 'customer_left' && was && was !== 'customer_left') this.#announce(`${i.from} hung up`);
    }
  }
  /** Each call's phase in the last view. @type {Map<number, string>} */
  #callStates = new Map();
  /** Calls whose request this agent withdrew: no word that it was not taken. @type {Set<number>} */
  #withdrawn = new Set();

  /** Whether the RONA dialog was shown at the last render. */
  #ronaShown = false;
  /** Whether the live region has told of the RONA shown now. */
  #ronaSaid = false;
  /** The offers the live region has told of. @type {Set<number>} */
  #announced = new Set();
  /** The names of the records at this desk, by id. @type {Map<number, string>} */
  #recordNames = new Map();

  /** Says `text` in the live region. @param {string} text */
  #announce(text) {
    this.#part('live').textContent = text;
  }

  /** Shows `text` for five seconds. @param {string} text @param {string} [code] */
  #toast(text, code) {
    const toast = this.#part('toast');
    toast.innerHTML = `<div class="toast"${code ? ` data-code="${esc(code)}"` : ''}>${esc(text)}</div>`;
    clearTimeout(this.#toastTimer);
    this.#toastTimer = setTimeout(() => { toast.textContent = ''; }, 5000);
  }
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  #toastTimer = undefined;

  /** One of the parts the constructor built (`live`, `toast`, `desk`, `team`). @param {string} id */
  #part(id) {
    return /** @type {HTMLElement} */ (this.#root.getElementById(id));
  }

  /**
   * Plays the sound a campaign names for a callback event (W6): `offered`,
   * `held`, `retrieved` or `ended`. Replace it to map sound names to files,
   * route them to another device or stay silent:
   * `element.playSound = (sound, event, card) => ...`.
   * @param {string} sound @param {string} _event @param {OutboundView} _card
   */
  playSound(sound, _event, _card) {
    const audio = new Audio(sound);
    audio.play()?.catch(() => {});
  }

  /** Callback events between two views: offered, held, retrieved, ended (W6). @param {View} view */
  #sounds(view) {
    if (!view.ready) return;
    /** @type {Map<number, CallbackSeen>} */
    const now = new Map();
    /** @param {OutboundView} card @param {import('./index.js').CallbackSoundEvent} event */
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
      const call = callOf(view, card);
      const live = call?.state === 'active';
      const held = live && !!call?.participants.some((p) => p.party === 'customer' && p.held);
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

  /** Runs the command of the button clicked. @param {Event} event */
  async #onClick(event) {
    const button = /** @type {HTMLButtonElement | null} */ (/** @type {Element} */ (event.target).closest('button[data-action]'));
    if (!button || !this.client) return;
    const { action = '', id = '', participant, purpose } = button.dataset;
    const c = this.client;
    const n = Number(id);
    // A participant's own hold or resume, or else the customer's.
    const who = participant ? Number(participant) : null;
    const r = Number(button.dataset.record);
    // The card the button is on, a record's or an interaction's (a record's
    // call is a card of its own inside the record's).
    const card = /** @type {HTMLElement} */ (button.closest('[data-record-card], [data-interaction]'));
    /** The trimmed value of the control `selector` finds in the card. @param {string} selector */
    const field = (selector) => /** @type {HTMLInputElement | null} */ (card?.querySelector(selector))?.value.trim() ?? '';
    /** Shows the desk with a form opened or closed, and focuses what `selector` finds in it then. @param {string} selector */
    const reshow = (selector) => {
      this.#render();
      /** @type {HTMLElement | null} */ (this.#root.querySelector(selector))?.focus();
    };
    /** Closes the record's form once `sent` is acked. @param {Promise<unknown>} sent */
    const closing = (sent) => sent.then((ack) => {
      this.#recordForm = null;
      this.#render();
      return ack;
    });
    /** Empties the input kept as `keep` once `sent` is acked: what it held was sent. @param {string} keep @param {Promise<unknown>} sent */
    const emptying = (keep, sent) => sent.then((ack) => {
      const input = /** @type {HTMLInputElement | null} */ (this.#root.querySelector(`[data-keep="${keep}"]`));
      if (input) input.value = '';
      return ack;
    });
    /** @type {Record<string, () => Promise<unknown> | void>} */
    const run = {
      login: () => {
        // SPEC P1: the push-preview media are chosen at login; the boxes
        // start as the last choice, so one sent only when it changed also
        // clears it when every box is unticked.
        const boxes = /** @type {NodeListOf<HTMLInputElement>} */ (this.#root.querySelectorAll('input[name="preview-media"]:checked'));
        const media = [...boxes].map((box) => /** @type {import('./index.js').Channel} */ (box.value));
        const same = media.length === c.view.preview_media.length && media.every((m) => c.view.preview_media.includes(m));
        return c.login(same ? undefined : { previewMedia: media });
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
      'add-chained': () => emptying(`chained-${r}`, c.addChained(r, field('.chained-number'))),
      'cancel-reschedule': () => c.cancelReschedule(r),
      'mark-done': () => c.markDone(r, { stop: button.dataset.stop === 'true' }),
      'open-form': () => {
        this.#recordForm = { id: button.dataset.record ?? '', form: button.dataset.form ?? '' };
        reshow(`[data-record-card="${r}"] .record-form :is(input, select)`);
      },
      'close-form': () => {
        this.#recordForm = null;
        reshow(`[data-record-card="${r}"] button[data-action="open-form"]`);
      },
      'transfer-record': () => closing(c.transferRecord(r, field('.transfer-agent'))),
      'edit-record': () => {
        const record = c.view.outbound.find((o) => o.record.id === r)?.record;
        /** @type {Record<string, string>} */
        const fields = {};
        for (const input of /** @type {NodeListOf<HTMLInputElement>} */ (card.querySelectorAll('input[data-field]'))) {
          const name = input.dataset.field ?? '';
          if (input.value !== (record?.fields[name] ?? '')) fields[name] = input.value;
        }
        return closing(Object.keys(fields).length ? c.editRecord(r, fields) : Promise.resolve());
      },
      reschedule: () => {
        // The agent's local wall time, as the browser's zone reads it, to UTC ms.
        const at = new Date(field('.callback-at'));
        if (Number.isNaN(at.getTime())) throw Object.assign(new Error('Choose the date and time of the callback'), { code: 'bad_argument' });
        const personal = /** @type {HTMLInputElement | null} */ (card.querySelector('input.callback-kind:checked'))?.value !== 'campaign';
        return closing(c.reschedule(r, { at, number: field('.callback-number') || null, personal }));
      },
      logout: () => c.logout(),
      accept: () => c.accept(n),
      decline: () => c.decline(n),
      end: () => c.end(n),
      done: () => c.done(n, codes.get(id) || null).then((ack) => {
        codes.set(id, '');
        return ack;
      }),
      'go-idle': () => c.goIdle().then(() => reshow('#status')),
      'go-available': () => c.goAvailable().then(() => reshow('#status')),
      hold: () => c.hold(n, who),
      resume: () => c.resume(n, who),
      'end-consult': () => {
        if (END_CONSULT_TEXT[this.#callStates.get(n) ?? '']) this.#withdrawn.add(n);
        return c.endConsult(n);
      },
      'complete-transfer': () => c.completeTransfer(n),
      'start-conference': () => c.startConference(n),
      leave: () => c.leave(n),
      record: () => c.record(n),
      dtmf: () => emptying(`dtmf-${n}`, c.dtmf(n, field('.dtmf-digits'))),
      'follow-up': () => c.followUp(n, /** @type {import('./index.js').Channel} */ (field('.follow-up-channel'))),
      'open-target': () => {
        this.#targetFor = { id, purpose: /** @type {'consult' | 'conference' | 'transfer'} */ (purpose) };
        reshow(`[data-interaction="${n}"] .target-value`);
      },
      'cancel-target': () => {
        const opener = `[data-interaction="${n}"] [data-action="open-target"][data-purpose="${this.#targetFor?.purpose}"]`;
        this.#targetFor = null;
        reshow(opener);
      },
      monitor: () => c.monitor(n, button.dataset.agent ?? ''),
      'pause-monitoring': () => c.pauseMonitoring(n),
      'resume-monitoring': () => c.resumeMonitoring(n),
      'barge-in': () => c.bargeIn(n),
      'stop-monitoring': () => c.stopMonitoring(n),
      'logout-agent': () => c.logoutAgent(button.dataset.agent ?? ''),
      'send-target': () => {
        const kind = field('.target-kind');
        const value = field('.target-value');
        if (!value) throw Object.assign(new Error(`Type the ${kind} to reach`), { code: 'bad_argument' });
        const target = /** @type {import('./index.js').Target} */ (/** @type {unknown} */ ({ [kind]: value }));
        const send = /** @type {'consult' | 'conference' | 'transfer'} */ (purpose);
        // Open with what was typed until the server takes it: a refused
        // target can be corrected.
        return c[send](n, target).then((ack) => {
          if (this.#targetFor?.id === id) this.#targetFor = null;
          this.#render();
          return ack;
        });
      },
    };
    try {
      await run[action]?.();
    } catch (error) {
      this.#toastError(error);
    }
  }

  /** Shows a refusal or failure with its code. @param {unknown} error */
  #toastError(error) {
    const { message, code } = /** @type {{ message?: string, code?: string }} */ (error ?? {});
    this.#toast(REFUSAL_TEXT[code ?? ''] ?? (message ? forAgent(message) : String(error)), code);
  }

  /** Sets a wrap-up code, or a status, a call result or do-not-call. @param {Event} event */
  async #onChange(event) {
    const control = /** @type {HTMLInputElement} */ (event.target);
    const { codeFor } = control.dataset;
    if (codeFor) {
      codes.set(codeFor, control.value);
      this.#render();
      return;
    }
    const c = this.client;
    if (!c) return;
    const record = Number(control.dataset.record);
    try {
      if (control.id === 'status') await this.#chooseStatus(c, control.value);
      else if (control.id === 'secondary') {
        const status = this.#pendingStatus ?? c.view.choices.find((choice) => choice.selected)?.id ?? '';
        this.#pendingStatus = null;
        await c.setStatus(status, control.value || null);
      } else if (control.classList.contains('call-result')) await c.callResult(record, control.value);
      else if (control.classList.contains('do-not-call') && control.checked) await c.doNotCall(record);
    } catch (error) {
      this.#toastError(error);
      this.#redraw(control); // show the status or the record as it is again
    }
  }

  /**
   * Sets a status chosen in the list, or, when it needs a secondary status
   * (S6), waits for one to be chosen in the list beside it.
   * @param {Client} c @param {string} status
   */
  async #chooseStatus(c, status) {
    const choice = c.view.choices.find((candidate) => candidate.id === status);
    this.#pendingStatus = choice?.secondary_required && !choice.selected ? status : null;
    if (this.#pendingStatus || choice?.selected) this.#render();
    else await c.setStatus(status);
  }

  /** Builds the part holding `node` again from the view, undoing what the user changed in it. @param {HTMLElement} node */
  #redraw(node) {
    for (let part = /** @type {HTMLElement | null} */ (node); part; part = part.parentElement) {
      if (built.delete(part)) break;
    }
    this.#render();
  }

  /**
   * Updates the desk to the client's view: each part (status row, RONA,
   * each record, offer and interaction card) is built again only when its
   * markup changes, keyed by its id, so typed values and the focus elsewhere
   * stay; timers and flashes are updated in place.
   */
  #render() {
    const desk = this.#part('desk');
    const c = this.client;
    const connection = c?.connection ?? (this.#starting ? 'connecting' : 'closed');
    if (connection === 'incompatible') {
      // Terminal: the engine will not retry, so neither does the desk.
      patch(desk, [['incompatible', '<p class="hint" role="alert" id="incompatible">This desk and the server speak different protocol versions: it will not reconnect.</p>']]);
      return;
    }
    if (this.#failure !== null) {
      patch(desk, [['failure', `<p class="hint" role="alert" id="start-error">Cannot start: ${esc(this.#failure)}</p>`]]);
      return;
    }
    const view = c?.view;
    if (!view?.ready) {
      // SPEC S10: until the server's state arrives, show no status at all
      // rather than a guess that may be wrong.
      patch(desk, [['waiting', `<p class="conn" id="connecting">${connection === 'closed' ? 'Closed' : connection === 'unauthorized' ? esc(CONNECTION_TEXT.unauthorized) : `Connecting… (${esc(connection)})`}</p>`]]);
      return;
    }
    // A form belongs to a record at this agent; one that left takes it along.
    const form = this.#recordForm;
    if (form && !view.outbound.some((o) => String(o.record.id) === form.id)) this.#recordForm = null;
    const linked = new Set(view.outbound.map((o) => o.interaction));
    const parts = patch(desk, [['head', this.#head(view, connection)], ['rona', this.#rona(view)],
      ['campaign', '<section aria-label="Campaign"></section>'], ['offers', '<section aria-label="Offers"></section>'],
      ['work', '<section aria-label="Interactions"></section>']]);
    patch(partOf(parts, 'campaign'), [['bar', this.#campaignBar(view)], ...view.outbound.map((o) => /** @type {Part} */ ([o.record.id, this.#record(view, o)]))]);
    patch(partOf(parts, 'offers'), view.offers.map((o) => [o.id, offerMarkup(o)]));
    patch(partOf(parts, 'work'), view.interactions.filter((i) => !linked.has(i.id)).map((i) => [i.id, this.#interaction(view, i)]));
    // RONA, a dialog, takes the focus from an offer that ran out, or from nowhere.
    const rona = /** @type {HTMLElement | undefined} */ (parts.get('rona'));
    const focused = this.#root.activeElement;
    if (rona && !this.#ronaShown && (!focused || partOf(parts, 'offers').contains(focused))) rona.focus();
    this.#ronaShown = !!rona;
    const indicator = this.#root.getElementById('campaign-indicator');
    flash(indicator, view.campaign_flashing);
    indicator?.setAttribute('aria-label', view.campaign_flashing ? 'Outbound campaign: a preview waits for accept or reject' : 'Outbound campaign');
    for (const o of view.outbound) {
      tick(desk, `[data-record-card="${o.record.id}"]`, [[':scope > .row .remaining', o.remaining], [':scope > .row .stale-in', o.stale_in]], o.flashing);
    }
    setText(desk, '#status-timer', view.status.timer);
    for (const o of view.offers) tick(desk, `[data-offer="${o.id}"]`, [['.remaining', o.remaining]], o.flashing);
    for (const i of view.interactions) {
      tick(desk, `[data-interaction="${i.id}"]`, [['.connected', i.connected], ['.wrap-timer', i.wrap_up], ['.held-timer', i.held],
        ['.consult-timer', i.consulting], ['.consult-held-timer', i.consult_held]]);
    }
  }

  /** Why mark done is refused while its phase allows it: shown beside Done (P7, W4). @param {OutboundView} o */
  #doneRefusal(o) {
    const phase = o.record.status === 'after_call' || (o.record.status === 'owned' && o.record.schedule);
    if (o.actions.done || !phase || !this.client) return null;
    const refusal = this.client.check({ mark_done: { record: o.record.id, stop: false } });
    // The message names the command for a developer's log; the agent sees only why.
    return refusal && { code: refusal.code, message: forAgent(refusal.message) };
  }

  /** One campaign record card (P2-P8, W1-W7): its phase's controls, exactly as `actions` allows. @param {View} view @param {OutboundView} o */
  #record(view, o) {
    const r = o.record;
    const a = o.actions;
    const id = r.id;
    const active = r.chain[r.active] ?? '';
    /** @param {string} action @param {string} label @param {boolean} enabled @param {string} [extra] */
    const recordButton = (action, label, enabled, extra = '') => button(action, label, enabled, `data-record="${id}" ${extra}`);
    const formOpen = this.#recordForm?.id === String(id) ? this.#recordForm.form : null;
    /** @param {string} form @param {string} label @param {boolean} enabled */
    const opener = (form, label, enabled) => recordButton('open-form', label, enabled && formOpen !== form, `data-form="${form}" aria-expanded="false"`);
    const fields = o.campaign.fields.length ? `<dl aria-label="Campaign data">${o.campaign.fields.map((f) =>
      `<dt>${esc(f)}</dt><dd data-field-value="${esc(f)}">${esc(r.fields[f] ?? '')}</dd>`).join('')}</dl>` : '';
    const chain = `<ol class="chain" aria-label="Chained records">${r.chain.map((number, index) => {
      const current = index === r.active;
      return `<li data-index="${index}"${current ? ' aria-current="true"' : ''}><span class="number">${esc(number)}</span>${current ? ' <em>active</em>' : ''}
        ${recordButton('set-active', 'Set active', a.set_active && !current, `data-index="${index}" aria-label="Set active: ${esc(number)}"`)}</li>`;
    }).join('')}</ol>`;
    const addChained = a.add_chained ? `<div class="row"><input class="chained-number" data-keep="chained-${id}" aria-label="New chained record: number" placeholder="+46 70 …" size="14">
      ${recordButton('add-chained', 'New chained record', true)}</div>` : '';
    const schedule = r.schedule ? `<p class="schedule row">Callback (${esc(r.schedule.kind)}) at
      <time datetime="${new Date(r.schedule.at).toISOString()}">${esc(new Date(r.schedule.at).toLocaleString())}</time>${r.schedule.number ? ` on ${esc(r.schedule.number)}` : ''}
      ${recordButton('cancel-reschedule', 'Cancel callback', a.cancel_reschedule)}</p>` : '';
    const dialled = o.dialled ? `<p class="dialled">${r.status === 'dialling' ? 'Dialling' : 'Dialled'} <span class="number">${esc(o.dialled)}</span>${o.dial_outcome ? ` · <span class="dial-outcome">${esc(words(o.dial_outcome))}</span>` : ''}</p>` : '';
    const preview = r.status === 'previewing' ? `<div class="row" role="group" aria-label="Preview">
      ${recordButton('accept-preview', 'Accept', true, `class="accept" ${a.accept ? '' : 'disabled'}`)}
      ${recordButton('reject-preview', 'Reject', true, a.reject ? '' : 'disabled')}</div>` : '';
    const connect = a.dial ? `<div class="row"><label>Number <input class="dial-number" data-keep="dial-${id}-${r.active}-${esc(active)}" value="${esc(active)}" size="18"></label>
      ${recordButton('dial', 'Connect', true)}</div>` : '';
    const results = a.call_result || r.status === 'after_call' ? `<label>Call result <select class="call-result" data-record="${id}" ${a.call_result ? '' : 'disabled'}>
      <option value="" disabled ${r.result ? '' : 'selected'}>Choose…</option>
      ${o.campaign.results.map((x) => `<option value="${esc(x)}" ${x === r.result ? 'selected' : ''}>${esc(label(x))}</option>`).join('')}</select></label>` : '';
    const dnc = a.do_not_call || o.do_not_call ? `<label><input type="checkbox" class="do-not-call" data-record="${id}" ${o.do_not_call ? 'checked disabled' : ''}>
      Do not call <span class="note">(off every campaign's list)</span></label>` : '';
    const refusal = this.#doneRefusal(o);
    const showDone = a.done || refusal;
    const done = showDone ? `${recordButton('mark-done', 'Done', true, `data-stop="false" ${a.done ? '' : 'disabled'}`)}
      ${recordButton('mark-done', 'Done and stop', true, `data-stop="true" ${a.done ? '' : 'disabled'}`)}
      ${refusal ? `<span class="hint" role="note" data-code="${esc(refusal.code)}">${esc(refusal.message)}</span>` : ''}` : '';
    const tools = [
      recordButton('cancel-record', 'Cancel', a.cancel),
      opener('transfer', 'Transfer…', a.transfer),
      opener('edit', 'Edit…', a.edit && o.campaign.fields.length > 0),
      recordButton('update-record', 'Update record', a.update),
      opener('reschedule', r.schedule ? 'Reschedule… (callback set)' : 'Reschedule…', a.reschedule),
    ].join('');
    let form = '';
    if (formOpen === 'transfer' && a.transfer) {
      form = `<div class="row record-form" role="group" aria-label="Transfer the record">
        <label>Agent <input class="transfer-agent" data-keep="transfer-${id}" placeholder="ben" size="10"></label>
        ${recordButton('transfer-record', 'Transfer', true)}${recordButton('close-form', 'Cancel', true)}</div>`;
    } else if (formOpen === 'edit' && a.edit) {
      form = `<div class="row record-form" role="group" aria-label="Edit campaign data">
        ${o.campaign.fields.map((f) => `<label>${esc(f)} <input data-field="${esc(f)}" data-keep="edit-${id}-${esc(f)}" value="${esc(r.fields[f] ?? '')}" size="12"></label>`).join('')}
        ${recordButton('edit-record', 'Save', true)}${recordButton('close-form', 'Cancel', true)}</div>`;
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
        <div class="row">${recordButton('reschedule', r.schedule ? 'Change callback' : 'Set callback', true)}${recordButton('close-form', 'Close', true)}</div></div>`;
    }
    const call = callOf(view, o);
    return `<div class="card record" data-record-card="${id}" part="record" role="group" aria-label="Campaign record ${esc(r.name)}">
      <div class="row"><strong class="campaign-name">${esc(o.campaign.name)}</strong> · <span class="origin">${esc(label(o.origin))}</span>
        · <span class="phase">${esc(PHASE_TEXT[r.status] ?? words(r.status))}</span>
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

  /** One interaction card: participants, call controls, wrap-up. @param {View} view @param {InteractionView} i */
  #interaction(view, i, campaign = false) {
    const a = i.actions;
    /** @param {string} action @param {string} label @param {boolean} enabled @param {string} [extra] */
    const callButton = (action, label, enabled, extra = '') => button(action, label, enabled, `data-id="${i.id}" ${extra}`);
    // The card and its first row up to the call's phase, alike in every phase.
    const head = `<div class="card" data-interaction="${i.id}" part="interaction"><div class="row"><strong>${esc(i.channel)}</strong>
        ${esc(i.from)} · <span class="timer connected"></span> · `;
    if (i.state === 'wrap_up' && campaign) {
      // The call of a campaign record closes with its record (P7): no code here.
      return `${head}<span class="call-state">call ended</span>
        <span class="timer">after call <span class="wrap-timer"></span></span></div></div>`;
    }
    if (i.state === 'wrap_up') {
      const code = codes.get(String(i.id));
      const picker = i.owner ? `<label>Wrap-up code <select data-code-for="${i.id}">
        <option value="" ${code ? '' : 'selected'}>${view.wrap_up_required ? 'Choose…' : 'None'}</option>
        ${view.wrap_up_codes.map((c) => `<option value="${esc(c.id)}" ${c.id === code ? 'selected' : ''}>${esc(c.label)}</option>`).join('')}
        </select></label>` : '<span>Wrap-up assist</span>';
      return `${head}wrap-up</div>
        <div class="row">${picker} <span class="timer">wrap-up <span class="wrap-timer"></span></span>
        ${callButton('done', 'Done', true, a.done && !this.client?.check({ done: { interaction: i.id, code: code || null } }) ? '' : 'disabled')}</div></div>`;
    }
    const people = i.participants.map((p) => `<li data-participant="${p.id}">${esc(partyName(p.party))}${p.me ? ' (you)' : ''}
      ${p.held ? '<em>on hold</em>' : p.conferenced ? '<em>may talk</em>' : ''}${p.controls || p.party === 'customer' ? '' : ' <small>no controls</small>'}
      ${callButton('hold', 'Hold', p.can_hold && p.party !== 'customer', `data-participant="${p.id}"`)}
      ${callButton('resume', p.conferenced ? 'Allow to talk' : 'Resume', p.can_resume && p.party !== 'customer', `data-participant="${p.id}"`)}</li>`).join('');
    const open = this.#targetFor?.id === String(i.id) ? this.#targetFor.purpose : null;
    const targetForm = open ? `<div class="row target-form" role="group" aria-label="${open} target">
      <select class="target-kind" data-keep="target-kind-${i.id}" aria-label="Target kind"><option value="agent">Agent</option><option value="queue">Queue</option><option value="number">Number</option></select>
      <input class="target-value" data-keep="target-${i.id}" aria-label="Target" placeholder="ben, sales or +46 8 …">
      ${callButton('send-target', label(open), true, `data-purpose="${open}"`)}
      ${callButton('cancel-target', 'Cancel', true)}</div>` : '';
    const controls = [
      callButton('hold', 'Hold', a.hold),
      callButton('resume', 'Resume', a.resume),
      callButton('open-target', 'Consult…', a.consult, 'data-purpose="consult"'),
      callButton('open-target', 'Conference…', a.conference, 'data-purpose="conference"'),
      callButton('open-target', 'Transfer…', a.transfer, 'data-purpose="transfer"'),
      callButton('end-consult', END_CONSULT_TEXT[i.call_state] ?? 'End consult', a.end_consult),
      callButton('complete-transfer', 'Transfer to consulted', a.complete_transfer),
      callButton('start-conference', 'Start conference', a.start_conference),
      callButton('leave', i.call_state !== 'conference' ? 'Leave' : i.in_control ? 'Exit conference' : 'Leave conference', a.leave),
      callButton('record', 'Record', a.record),
      callButton('end', 'End', a.end),
    ].join('');
    const extras = [
      a.dtmf ? `<input class="dtmf-digits" data-keep="dtmf-${i.id}" size="6" aria-label="DTMF digits" placeholder="digits">${callButton('dtmf', 'Send DTMF', true)}` : '',
      a.follow_up.length ? `<select class="follow-up-channel" data-keep="follow-up-${i.id}" aria-label="Follow-up channel">${a.follow_up.map((c) => `<option>${esc(c)}</option>`).join('')}</select>${callButton('follow-up', 'Follow up', true)}` : '',
    ].join(' ');
    const history = i.history.length ? `<ul class="history">${i.history.map((h) => `<li>${esc(h.by)}: ${esc(h.text)}</li>`).join('')}</ul>` : '';
    return `${head}<span class="call-state">${i.call_state === 'customer_left' ? 'customer left (wrap-up assist)' : esc(words(i.call_state))}</span>
        ${i.held !== null ? '<span class="timer">held <span class="held-timer"></span></span>' : ''}
        ${i.consulting !== null ? '<span class="timer">consult <span class="consult-timer"></span></span>' : ''}
        ${i.consult_held !== null ? '<span class="timer">consult held <span class="consult-held-timer"></span></span>' : ''}
        ${i.in_control ? '<span class="engaged">in control</span>' : ''}${i.recording ? ' <span class="recording">● recording</span>' : ''}
        ${i.monitored ? '<span class="monitored">monitored by a supervisor</span>' : ''}</div>
      <ul class="participants" aria-label="Participants">${people}</ul>
      <div class="row controls" role="toolbar" aria-label="Call controls">${controls}</div>
      ${targetForm}<div class="row">${extras}</div>${history}</div>`;
  }

  /** The team's roster: rows and tiles keyed by user and queue, built again only when what they show changes; timers set in place. */
  #renderRoster() {
    const team = this.#part('team');
    const c = this.client;
    const { entries, queues } = c?.roster ?? { entries: [], queues: [] };
    const view = c?.view;
    const monitorings = view?.ready ? view.monitoring : [];
    // A roster of this user alone (no team, no favourites) shows nothing new.
    const shown = queues.length > 0 || entries.some((e) => !e.me);
    team.hidden = !shown;
    if (!shown) {
      patch(team, []);
      return;
    }
    const sup = view?.supervisor ?? false;
    const listed = new Set(entries.flatMap((e) => e.interactions.map((w) => w.id)));
    const parts = patch(team, [['title', `<h2>${sup ? 'Supervisor desk' : 'Team'}</h2>`],
      ['tiles', queues.length ? '<div class="tiles" role="list" aria-label="Queues"></div>' : ''],
      ['table', `<table class="roster"><thead><tr><th>Agent</th><th>Status</th><th>Time</th><th>Activity</th>
        ${sup ? '<th>Interactions</th><th>Queues</th><th>Actions</th>' : ''}</tr></thead><tbody></tbody></table>`],
      ...monitorings.filter((m) => !listed.has(m.interaction)).map((m) => /** @type {Part} */ ([`monitoring-${m.interaction}`,
        `<div class="card" data-monitoring="${m.interaction}">${esc(label(m.channel))} ${esc(m.from)} through ${esc(m.agents.join(', '))}:
        ${this.#monitoringControls(m)}</div>`]))]);
    if (parts.has('tiles')) patch(partOf(parts, 'tiles'), queues.map((q) => [q.queue, tileMarkup(q)]));
    const byCall = new Map(monitorings.map((m) => [m.interaction, m]));
    const table = /** @type {HTMLTableElement} */ (partOf(parts, 'table'));
    patch(table.tBodies[0], entries.map((e) => [e.user, this.#rowMarkup(e, sup, byCall, view?.choices ?? [])]));
    for (const e of entries) {
      tick(team, `tr[data-user="${CSS.escape(e.user)}"]`, [['.status-timer', e.timer], ...e.interactions.map((w) => /** @type {Timer} */ ([`[data-work="${w.id}"] .work-timer`, w.timer]))]);
    }
    for (const q of queues) setText(team, `[data-queue="${CSS.escape(q.queue)}"] .wait-timer`, q.longest_wait ?? '–');
  }

  /**
   * One followed user's row; supervisors get the interactions, queues and actions (S6, S9, M1).
   * @param {RosterEntry} e @param {boolean} sup @param {Map<number, MonitoringView>} byCall @param {View['choices']} choices
   */
  #rowMarkup(e, sup, byCall, choices) {
    const activity = [e.interactions.length ? 'Engaged' : '', ACTIVITY_TEXT[e.activity ?? ''] ?? '',
      !e.logged_in ? 'Logged out' : e.connected ? '' : 'Disconnected'].filter(Boolean).join(' · ');
    const work = e.interactions.map((w) => `<li data-work="${w.id}">${esc(label(w.channel))} · ${w.state === 'wrap_up' ? 'wrap-up' : 'active'}
      <span class="timer work-timer"></span></li>`).join('');
    const watched = e.interactions.map((w) => byCall.get(w.id)).find(Boolean);
    const first = e.interactions.find((w) => w.state === 'active');
    const actions = [
      watched ? this.#monitoringControls(watched)
        : button('monitor', 'Monitor', first?.can_monitor, `data-id="${first?.id}" data-agent="${esc(e.user)}"`),
      button('logout-agent', 'Log out', e.can_log_out, `data-agent="${esc(e.user)}"`),
    ].join(' ');
    return `<tr data-user="${esc(e.user)}" part="roster-row"><td class="user">${esc(e.user)}${e.me ? ' (you)' : ''}
        ${e.location ? `<div class="note location">at ${esc(e.location)}</div>` : ''}</td>
      <td><span class="badge" style="background:${esc(e.colour)}"></span> <span class="roster-status">${esc(e.label)}</span>${e.secondary ? ` <span class="secondary">· ${esc(reason(choices, e.status, e.secondary))}</span>` : ''}</td>
      <td class="timer status-timer"></td><td class="activity">${esc(activity)}</td>
      ${sup ? `<td><ul class="work" aria-label="Interactions">${work}</ul></td>
        <td class="queues">${Object.entries(e.queues).map(([q, skill]) => `${esc(q)} ${skill}`).join(', ')}</td><td class="row-actions">${actions}</td>` : ''}</tr>`;
  }

  /** A monitoring's M1 state and the actions the rules allow now. @param {MonitoringView} m */
  #monitoringControls(m) {
    /** @param {string} action @param {string} text @param {boolean} enabled */
    const monitorButton = (action, text, enabled) => button(action, text, enabled, `data-id="${m.interaction}"`);
    const state = m.mode === 'barge_in' ? 'Barged in' : label(m.state);
    return `<span class="monitoring-state" data-state="${esc(m.state)}" data-mode="${esc(m.mode)}">${state}</span>
      ${monitorButton('pause-monitoring', 'Pause', m.actions.pause)}${monitorButton('resume-monitoring', 'Resume', m.actions.resume)}
      ${monitorButton('barge-in', 'Barge in', m.actions.barge_in)}${monitorButton('stop-monitoring', 'Stop', m.actions.stop)}`;
  }

  /**
   * The status row: status and secondary status, its timer, the selectors,
   * log in or out, the connection.
   * @param {View} view @param {string} connection
   */
  #head(view, connection) {
    const s = view.status;
    const current = view.choices.find((c) => c.selected);
    if (!view.choices.some((c) => c.id === this.#pendingStatus)) this.#pendingStatus = null;
    const pending = this.#pendingStatus;
    const listed = pending ?? current?.id;
    const secondaries = view.choices.find((c) => c.id === listed);
    const secondaryLabel = s.secondary && reason(view.choices, s.id, s.secondary);
    return `<div class="row" part="status">
      <span class="badge" style="background:${esc(s.colour)}"></span>
      <span class="label" id="status-label">${esc(s.label)}</span>
      ${secondaryLabel ? `<span class="secondary" id="status-secondary">· ${esc(secondaryLabel)}</span>` : ''}
      ${s.engaged ? `<span class="engaged" id="engaged">${esc(s.engaged)}</span>` : ''}
      <span class="timer" id="status-timer" role="timer" aria-label="time in status"></span>
      ${view.logged_in ? `<label class="sr" for="status">Status</label><select id="status">${view.choices.map((c) =>
        `<option value="${esc(c.id)}" ${c.id === listed ? 'selected' : ''}>${esc(c.label)}</option>`).join('')}
        ${listed ? '' : `<option selected disabled>${esc(s.label)}</option>`}</select>` : ''}
      ${secondaries?.secondary.length ? `<label class="sr" for="secondary">Reason</label><select id="secondary">${
        pending ? '<option value="" selected disabled>Choose a reason…</option>' : secondaries.secondary_required ? '' : `<option value="" ${s.secondary ? '' : 'selected'}>No reason</option>`}${
        secondaries.secondary.map((x) => `<option value="${esc(x.id)}" ${!pending && x.id === s.secondary ? 'selected' : ''}>${esc(x.label)}</option>`).join('')}</select>` : ''}
      ${view.can_login ? `<fieldset class="preview-media"><legend>Push preview media</legend>${CHANNELS.map((c) =>
        `<label><input type="checkbox" name="preview-media" value="${c}" data-keep="preview-${c}" ${view.preview_media.includes(/** @type {import('./index.js').Channel} */ (c)) ? 'checked' : ''}> ${esc(label(c))}</label>`).join(' ')}</fieldset>
        ${button('login', 'Log in', true)}` : ''}
      ${button('logout', 'Log out', view.can_logout)}
      ${connection === 'live' ? '<span class="conn" id="connection">live</span>'
        : `<span class="conn lost" id="connection" role="alert">${esc(CONNECTION_TEXT[connection] ?? connection)}</span>`}</div>`;
  }

  /** The RONA choice (O5), while the agent is in RONA. @param {View} view */
  #rona(view) {
    return view.rona ? `<section class="card rona" role="alertdialog" aria-label="RONA" id="rona" tabindex="-1">
      <strong>RONA</strong> — ${esc(ronaWhy(view.rona.cause))}.
      <div class="row">${button('go-idle', 'Go idle', true)}${button('go-available', 'Go available', true)}</div></section>` : '';
  }

  /** The campaign indicator and push-preview media, for an agent working campaigns (P1). @param {View} view */
  #campaignBar(view) {
    const campaigns = view.logged_in && (view.preview_media.length || view.outbound.length || view.can_get_record);
    return campaigns ? `<div class="row" part="campaign">
      <span class="indicator" id="campaign-indicator" role="img" aria-label="Outbound campaign">&#9742; Campaign</span>
      <span class="conn" id="preview-media">push preview: ${esc(view.preview_media.map(label).join(', ') || 'none')}${view.preview_paused ? ' · stopped' : ''}</span>
      ${button('get-record', 'Get record', view.can_get_record)}</div>` : '';
  }
}

/** One offer card; its countdown and flash are set in place. @param {OfferView} o */
const offerMarkup = (o) => `<div class="card" data-offer="${o.id}" part="offer">
  <div class="row"><strong>${esc(o.join ? `${o.join.purpose} request from ${o.join.by}` : o.channel)}</strong> · ${esc(o.from)}${o.queue ? ` · ${esc(o.queue)}` : ''} · <span class="remaining timer"></span></div>
  <div class="row">${button('accept', 'Accept', true, `class="accept" data-id="${o.id}" ${o.can_accept ? '' : 'disabled'}`)}
  ${button('decline', 'Decline', true, `data-id="${o.id}" ${o.can_decline ? '' : 'disabled'}`)}</div></div>`;

/** A queue tile: waiting, longest wait (set in place), agents available. @param {QueueTile} q */
const tileMarkup = (q) => `<div class="tile${q.waiting ? ' busy' : ''}" role="listitem" data-queue="${esc(q.queue)}" part="queue-tile"><strong>${esc(q.queue)}</strong>
  <span class="waiting">${q.waiting}</span> waiting<br><span class="note">longest <span class="timer wait-timer"></span></span><br>
  <span class="available">${q.available}</span> available</div>`;

/**
 * A command button: its action, run by the click handler, and its other
 * attributes; nothing when `shown` is false, as the desk offers only the
 * commands the rules allow now.
 * @param {string} action @param {string} label @param {unknown} shown @param {string} [attributes]
 */
const button = (action, label, shown, attributes = '') => (shown ? `<button data-action="${action}" ${attributes}>${label}</button>` : '');

/** @typedef {[string | number, string]} Part A part's key and markup. */

/** Each part of the desk as built: the element to its [key, markup]. @type {WeakMap<Element, Part>} */
const built = new WeakMap();

/** The child `patch` returned for `key`; the caller listed it, so it is there. @param {Map<Part[0], Element>} parts @param {string} key */
const partOf = (parts, key) => /** @type {Element} */ (parts.get(key));

/** Sets the text of what `selector` finds in `root`, if it is there. @param {ParentNode} root @param {string} selector @param {string | null} text */
const setText = (root, selector, text) => {
  const el = root.querySelector(selector);
  if (el) el.textContent = text ?? '';
};

/** @typedef {[string, string | null]} Timer A timer's selector and the text it shows now. */

/**
 * Sets in place what moves between builds of a part: the timers in the part
 * `selector` finds in `root`, and the flash of its accept button if it has one.
 * @param {ParentNode} root @param {string} selector @param {Timer[]} timers @param {boolean} [flashing]
 */
const tick = (root, selector, timers, flashing = false) => {
  const part = root.querySelector(selector);
  if (!part) return;
  for (const [timer, text] of timers) setText(part, timer, text);
  flash(part.querySelector('button.accept'), flashing);
};

/** Starts or stops a flash: the class animates it, the attribute marks it for the page. @param {Element | null} element @param {boolean} on */
const flash = (element, on) => {
  element?.classList.toggle('flashing', on);
  element?.toggleAttribute('data-flashing', on);
};

/**
 * Makes `parent`'s children the `parts` ([key, markup] pairs in order; empty
 * markup is left out), each markup one element. A child whose key and
 * markup are unchanged stays untouched; a changed one is built again with
 * the typed values (`data-keep`) and the focus it held carried over. Returns
 * the children by key.
 * @param {Element} parent @param {Part[]} parts @returns {Map<Part[0], Element>}
 */
function patch(parent, parts) {
  /** @type {Map<Part[0], Element>} */
  const before = new Map();
  for (const child of parent.children) {
    const [key] = built.get(child) ?? [];
    if (key !== undefined) before.set(key, child);
  }
  const focused = /** @type {Document | ShadowRoot} */ (parent.getRootNode()).activeElement;
  /** @type {HTMLElement | null} */
  let refocus = null;
  /** @type {Map<Part[0], Element>} */
  const next = new Map();
  for (const [key, markup] of parts) {
    if (!markup) continue;
    const old = before.get(key);
    if (old && built.get(old)?.[1] === markup) {
      next.set(key, old);
      continue;
    }
    const template = document.createElement('template');
    template.innerHTML = markup;
    const fresh = /** @type {Element} */ (template.content.firstElementChild);
    built.set(fresh, [key, markup]);
    if (old) {
      for (const input of /** @type {NodeListOf<HTMLInputElement>} */ (old.querySelectorAll('[data-keep]'))) {
        const twin = /** @type {HTMLInputElement | null} */ (fresh.querySelector(`[data-keep="${CSS.escape(input.dataset.keep ?? '')}"]`));
        if (!twin) continue;
        if (input.type === 'checkbox' || input.type === 'radio') twin.checked = input.checked;
        else twin.value = input.value;
      }
      if (focused && old.contains(focused)) refocus = twinOf(focused, old, fresh);
    }
    next.set(key, fresh);
  }
  const wanted = new Set(next.values());
  const children = [...parent.children];
  // A part that held the focus and went (an offer taken, a form closed)
  // hands it to its neighbour, or to the list: never to the page.
  const gone = refocus || !focused ? -1 : children.findIndex((child) => child.contains(focused) && !wanted.has(child));
  if (gone >= 0) {
    refocus = /** @type {HTMLElement} */ ([...children.slice(gone + 1), ...children.slice(0, gone).reverse()]
      .find((child) => wanted.has(child) && (child.matches(FOCUSABLE) || child.querySelector(FOCUSABLE))) ?? parent);
  }
  for (const child of children) {
    if (!wanted.has(child)) child.remove();
  }
  // Children already in place are never moved: moving a node drops its focus.
  [...wanted].forEach((node, index) => {
    const here = parent.children[index];
    if (here !== node) parent.insertBefore(node, here ?? null);
  });
  if (refocus && !refocus.matches(FOCUSABLE)) refocus.tabIndex = -1;
  refocus?.focus();
  return next;
}

/** Controls that end or give up something: an Enter meant for another must not press them. */
/** The control that takes over from one that goes once pressed. @type {Record<string, string>} */
const SUCCESSOR = { 'accept-preview': 'dial' };

const RISKY = new Set(['end', 'leave', 'decline', 'reject-preview', 'logout', 'logout-agent', 'done', 'mark-done', 'cancel-record']);

/**
 * A secondary status's label, as the profile's status choices give it (the
 * same profile for every user of the center); its id if none does.
 * @param {View['choices']} choices @param {string} status @param {string} id
 */
const reason = (choices, status, id) => choices.find((c) => c.id === status)?.secondary.find((x) => x.id === id)?.label ?? id;

/** What a keyboard user can be on. */
const FOCUSABLE = 'button, input, select, textarea';

/**
 * The control of a part's new build that takes the focus `focused` had in
 * the old: the same control (its kind, its id and data attributes, but the
 * flash set after building), else the one that takes over from it (Connect
 * from Accept), else the one in its place (Hold became Resume, Log in
 * became the status list) unless that one ends something, else the part
 * itself, so the keyboard user is not sent to the page.
 * @param {Element} focused @param {Element} old @param {Element} fresh
 */
const twinOf = (focused, old, fresh) => {
  // The same kind of control (a call-result select is no Set active button
  // of the same record), or the one that takes over from it.
  const action = focused.getAttribute('data-action') ?? '';
  const classes = focused.id || action ? '' : [...focused.classList].map((c) => `.${CSS.escape(c)}`).join('');
  const key = [...focused.attributes].filter((a) => a.name === 'id' || (a.name.startsWith('data-') && a.name !== 'data-flashing'))
    .map((a) => `[${a.name}="${CSS.escape(a.value)}"]`).join('');
  const next = SUCCESSOR[action];
  const same = key ? fresh.querySelector(`${focused.localName}${classes}${key}:not(:disabled)`)
    ?? (next && fresh.querySelector(`[data-action="${next}"]:not(:disabled)`)) : null;
  if (same) return /** @type {HTMLElement} */ (same);
  const controls = fresh.querySelectorAll(FOCUSABLE.replace(/,|$/g, ':not(:disabled)$&'));
  const place = [...old.querySelectorAll(FOCUSABLE)].indexOf(focused);
  const other = /** @type {HTMLElement | undefined} */ (controls[Math.min(place, controls.length - 1)]);
  // Record gone and End in its place: the part itself takes the focus.
  return other && !RISKY.has(other.dataset.action ?? '') ? other : /** @type {HTMLElement} */ (fresh);
};

/** The call a campaign record is on, if it is on one. @param {View} view @param {OutboundView} o */
const callOf = (view, o) => view.interactions.find((i) => i.id === o.interaction);

/** @param {Party} party */
const partyName = (party) => {
  if (party === 'customer') return 'Customer';
  const { agent, number, supervisor } = /** @type {{ agent?: string, number?: string, supervisor?: string }} */ (party);
  return agent ?? number ?? `${supervisor} (supervisor)`;
};
/** What ends a consult says in each phase: a request not yet answered is withdrawn. @type {Record<string, string>} */
const END_CONSULT_TEXT = { consult_requested: 'Withdraw consult', conference_requested: 'Withdraw conference request' };
/** Where a chosen wrap-up code is kept, by interaction id. */
const CODE_KEY = 'ringside-wrap-up-';
/**
 * The wrap-up code chosen on each interaction card, in the page's local
 * storage where it may use one, so a reload or another tab of this desk has
 * the choice (S10, N4); in this page's memory where it may not (a sandboxed
 * frame).
 */
const codes = {
  /** @type {Map<string, string>} */
  memory: new Map(),
  /** @param {string} id */
  get(id) {
    try {
      return localStorage.getItem(CODE_KEY + id) ?? '';
    } catch {
      return this.memory.get(id) ?? '';
    }
  },
  /** @param {string} id @param {string} code empty to forget it */
  set(id, code) {
    this.memory.set(id, code);
    try {
      if (code) localStorage.setItem(CODE_KEY + id, code);
      else localStorage.removeItem(CODE_KEY + id);
    } catch {
      // No storage here: this page's memory holds it.
    }
  },
};
/** Refusals an agent meets in the normal run of work, in the agent's words (the code stays on the toast). @type {Record<string, string>} */
const REFUSAL_TEXT = {
  unknown_offer: 'That offer is no longer open: it ended, or another tab took it',
  offer_expired: 'That offer ran out before it was accepted',
  invalid_transition: 'Not possible now: the call has changed since',
  timeout: 'No answer from the server in time: check the desk before trying again',
  not_ready: 'Not connected to the server yet',
  busy: 'The server is busy: try again in a moment',
  rate_limited: 'Too many actions at once: try again in a moment',
};
/** A connection that is not live, in the agent's words. @type {Record<string, string>} */
const CONNECTION_TEXT = {
  connecting: 'Reconnecting…',
  waiting: 'Connection lost: reconnecting. What you press now waits for the connection, and fails if it is not back in time.',
  // The token was refused (it may have expired): the agent's state on the
  // server is untouched; a new token (the `token` attribute) goes on.
  unauthorized: 'Not connected: the server refused this desk\'s sign-in (unauthorized; it may have expired). Your status on the server is unchanged: sign in again to go on.',
};
/** Why an offer could not reach the agent (O4), in the agent's words. @type {Record<string, string>} */
/** Why a record left the desk by itself, for the agent. @type {Partial<Record<import('./index.js').OutboundOutcome, string>>} */
const RECORD_GONE_TEXT = {
  stale: 'the callback went stale (not worked within the campaign\'s limit) and left your desk; it can no longer be worked, and a call in progress goes on as a plain call.',
  expired: 'the preview was not accepted in time and went back to the list.',
  withdrawn: 'the preview was taken back.',
};

const RONA_TEXT = { device_fault: 'your device did not ring', network_fault: 'the network did not reach your device', wrong_number: 'your number or extension is wrong' };

/** Why RONA came, in the agent's words (O3, O4). @param {import('./index.js').RonaCause | null | undefined} cause */
const ronaWhy = (cause) => (cause && cause !== 'no_answer' ? `an offer could not reach you: ${RONA_TEXT[cause] ?? words(cause)}` : 'an offer was not answered');
/**
 * A refusal's message in the agent's words: without the command's name in
 * front (`add_chained: ...`), a field named as a word (`dial.number is ...`
 * becomes `The number is ...`). @param {string} message
 */
const forAgent = (message) => sentence(message.replace(/^[a-z_]+: /, '').replace(/^[a-z_]+\.([a-z_]+) /, (_, field) => `the ${words(field)} `));

/** `text` with a capital first letter. @param {string} text */
const sentence = (text) => text.charAt(0).toUpperCase() + text.slice(1);
/** @type {Record<string, string>} */
const ACTIVITY_TEXT = { on_call: 'On a call', in_interaction: 'In an interaction', in_meeting: 'In a meeting' };
const CHANNELS = ['voice', 'chat', 'email', 'social'];
/** `no_answer` → `no answer`. @param {unknown} id */
const words = (id) => String(id).replace(/_/g, ' ');
/** `no_answer` → `No answer`. @param {unknown} id */
const label = (id) => sentence(words(id));
/** The record phases whose words are not their id's. @type {Record<string, string>} */
const PHASE_TEXT = { previewing: 'preview', owned: 'accepted, not dialled', connected: 'on the call', after_call: 'after the call' };
/** A time as `<input type="datetime-local">` shows it: the agent's local wall time. @param {number} ms */
const localInput = (ms) => {
  // The UTC fields of the instant shifted by the zone's offset then are the local ones.
  const offset = new Date(ms).getTimezoneOffset() * 60_000;
  return new Date(ms - offset).toISOString().slice(0, 19);
};

if (!customElements.get('ringside-agent')) customElements.define('ringside-agent', RingsideAgent);
