// The XState side of the client benchmark: one agent's state as an XState 5
// machine (synced or not; logged in or out; the status category; free,
// offered or engaged) fed the same server frames as the engine's replica,
// and a selector that derives the same view fields the engine's view has
// (status with label, colour, engaged overlay and timer; the selector's
// choices; offer cards with countdown and flash; interaction cards with
// call state, timers, participants and the plain call actions; the RONA
// choice; login, logout and outdial). The action flags follow the simple
// rules only (the engine runs the full rules, SPEC V1-V8, F1-F8), which
// leaves XState less work, never more.
import { assign, createActor, setup } from 'xstate';

const CALL_STATES = ['connected', 'on_hold', 'consult_requested', 'consulting', 'consult_on_hold', 'conference_requested', 'conference', 'customer_left'];

/** `mm:ss`, or `h:mm:ss` from one hour, as the engine formats (T6). */
export function formatDuration(ms) {
  const secs = Math.floor(ms / 1000);
  const hours = Math.floor(secs / 3600);
  const two = (n) => String(n).padStart(2, '0');
  return hours > 0 ? `${hours}:${two(Math.floor((secs % 3600) / 60))}:${two(secs % 60)}` : `${two(Math.floor(secs / 60))}:${two(secs % 60)}`;
}

const since = (now, at) => (now > at ? now - at : 0);

function callState(call) {
  if (call.customer_left) return 'customer_left';
  if (call.invitation) return call.invitation.purpose === 'consult' ? 'consult_requested' : 'conference_requested';
  if (call.consult) return call.participants.find((p) => p.id === call.consult.party)?.held_since != null ? 'consult_on_hold' : 'consulting';
  if (call.participants.find((p) => p.party === 'customer')?.held_since != null) return 'on_hold';
  return call.participants.length >= 3 ? 'conference' : 'connected';
}

/** The agent machine; `profile` comes with the welcome frame. */
export const agentMachine = setup({
  actions: {
    snapshot: assign(({ event }) => ({ profile: event.profile, role: event.role, seq: event.snapshot.seq, agent: event.snapshot.state })),
    loggedIn: assign(({ context }) => ({ agent: { ...context.agent, logged_in: true } })),
    loggedOut: assign(({ context }) => ({ agent: { ...context.agent, logged_in: false } })),
    status: assign(({ context, event }) => ({
      agent: { ...context.agent, status: event.status, status_since: event.since, secondary: event.secondary, idle_run_since: event.idle_run_since, rona_cause: event.rona_cause },
    })),
    connection: assign(({ context, event }) => ({ agent: { ...context.agent, connected: event.connected } })),
    offerCreated: assign(({ context, event }) =>
      context.agent.offers.some((o) => o.id === event.offer.id) ? {} : { agent: { ...context.agent, offers: [...context.agent.offers, event.offer] } }),
    offerEnded: assign(({ context, event }) => ({ agent: { ...context.agent, offers: context.agent.offers.filter((o) => o.id !== event.offer) } })),
    started: assign(({ context, event }) =>
      context.agent.interactions.some((i) => i.id === event.interaction.id)
        ? {}
        : { agent: { ...context.agent, interactions: [...context.agent.interactions, event.interaction] } }),
    callChanged: assign(({ context, event }) => ({
      agent: { ...context.agent, interactions: context.agent.interactions.map((i) => (i.id === event.interaction ? { ...i, call: event.call } : i)) },
    })),
    wrapUp: assign(({ context, event }) => ({
      agent: {
        ...context.agent,
        interactions: context.agent.interactions.map((i) => (i.id === event.interaction ? { ...i, state: 'wrap_up', state_since: event.since } : i)),
      },
    })),
    done: assign(({ context, event }) => ({ agent: { ...context.agent, interactions: context.agent.interactions.filter((i) => i.id !== event.interaction) } })),
    numbered: assign(({ event }) => ({ seq: event.seq })),
  },
  guards: {
    // Drop another agent's event and a repeat; a gap is an error the
    // replica answers with a resync (SPEC N2).
    next: ({ context, event }) => {
      if (event.seq === context.seq + 1) return true;
      if (event.seq > context.seq + 1) throw new Error(`the trace has a gap at ${event.seq}`);
      return false;
    },
    loggedIn: ({ context }) => context.agent.logged_in,
    loggedOut: ({ context }) => !context.agent.logged_in,
    category: ({ context }, category) => context.profile.statuses.find((s) => s.id === context.agent.status)?.category === category,
    engaged: ({ context }) => context.agent.interactions.length > 0,
    offered: ({ context }) => context.agent.interactions.length === 0 && context.agent.offers.length > 0,
    free: ({ context }) => context.agent.interactions.length === 0 && context.agent.offers.length === 0,
  },
}).createMachine({
  id: 'agent',
  initial: 'unsynced',
  context: { profile: null, role: 'agent', seq: 0, agent: null },
  states: {
    unsynced: { on: { welcome: { target: 'synced', actions: 'snapshot' } } },
    synced: {
      type: 'parallel',
      on: {
        welcome: { target: 'synced', actions: 'snapshot', reenter: true },
        logged_in: { guard: 'next', actions: ['numbered', 'loggedIn'] },
        logged_out: { guard: 'next', actions: ['numbered', 'loggedOut'] },
        status_changed: { guard: 'next', actions: ['numbered', 'status'] },
        connection_changed: { guard: 'next', actions: ['numbered', 'connection'] },
        offer_created: { guard: 'next', actions: ['numbered', 'offerCreated'] },
        offer_ended: { guard: 'next', actions: ['numbered', 'offerEnded'] },
        interaction_started: { guard: 'next', actions: ['numbered', 'started'] },
        call_changed: { guard: 'next', actions: ['numbered', 'callChanged'] },
        interaction_wrap_up: { guard: 'next', actions: ['numbered', 'wrapUp'] },
        interaction_done: { guard: 'next', actions: ['numbered', 'done'] },
      },
      states: {
        session: {
          initial: 'loggedOut',
          states: {
            loggedOut: { always: { guard: 'loggedIn', target: 'loggedIn' } },
            loggedIn: { always: { guard: 'loggedOut', target: 'loggedOut' } },
          },
        },
        status: {
          initial: 'offline',
          states: Object.fromEntries(['available', 'idle', 'away', 'offline'].map((category) => [category, {
            always: ['available', 'idle', 'away', 'offline'].filter((c) => c !== category).map((c) => ({ guard: { type: 'category', params: c }, target: c })),
          }])),
        },
        work: {
          initial: 'free',
          states: {
            free: { always: [{ guard: 'engaged', target: 'engaged' }, { guard: 'offered', target: 'offered' }] },
            offered: { always: [{ guard: 'engaged', target: 'engaged' }, { guard: 'free', target: 'free' }] },
            engaged: { always: [{ guard: 'offered', target: 'offered' }, { guard: 'free', target: 'free' }] },
          },
        },
      },
    },
  },
});

/** A server frame (parsed JSON) as a machine event. */
export function toEvent(frame) {
  if (frame.welcome) return { type: 'welcome', ...frame.welcome };
  const { seq, at, kind } = frame.event;
  if (typeof kind === 'string') return { type: kind, seq, at };
  const [type] = Object.keys(kind);
  return { type, seq, at, ...kind[type] };
}

/** The view at server time `now`: the engine's View fields (see above). */
export function selectView(snapshot, now) {
  if (!snapshot.matches('synced')) return { ready: false };
  const { profile, agent } = snapshot.context;
  const loggedIn = snapshot.matches({ synced: { session: 'loggedIn' } });
  const engaged = snapshot.matches({ synced: { work: 'engaged' } });
  const def = profile.statuses.find((s) => s.id === agent.status);
  const offlineColour = profile.statuses.find((s) => s.id === profile.offline_status)?.colour ?? '';
  const [label, colour] = !def ? [agent.status, offlineColour] : !loggedIn && def.survives_logout ? [`${def.label} (offline)`, offlineColour] : [def.label, def.colour];
  let timer = null;
  if (loggedIn && !engaged) {
    const current = formatDuration(since(now, agent.status_since));
    timer = agent.idle_run_since != null && agent.idle_run_since < agent.status_since ? `${current}/${formatDuration(since(now, agent.idle_run_since))}` : current;
  }
  const rona = agent.status === profile.rona_status;
  const engagedLabel = !engaged ? null
    : rona ? 'Engaged, RONA'
      : def?.routable ? 'Engaged'
        : def?.category === 'idle' ? 'Engaged (idle)' : `Engaged (${def?.label ?? agent.status})`;
  const tick = (at) => formatDuration(since(now, at));
  return {
    ready: true,
    logged_in: loggedIn,
    status: { id: agent.status, label, colour, category: def?.category ?? null, secondary: agent.secondary, engaged: engagedLabel, timer },
    choices: loggedIn ? profile.statuses.filter((s) => !s.system_only).map((s) => ({ id: s.id, label: s.label, colour: s.colour, selected: s.id === agent.status })) : [],
    offers: agent.offers.map((o) => {
      const remaining = since(o.deadline, now);
      const flashAt = o.deadline - o.offered_at > 8_000 ? o.deadline - 5_000 : null;
      return {
        id: o.id, contact: o.contact, channel: o.channel, queue: o.queue, from: o.from, join: o.join,
        remaining_ms: remaining, remaining: formatDuration(Math.ceil(remaining / 1000) * 1000),
        flashing: flashAt !== null && now >= flashAt && now < o.deadline,
        can_accept: loggedIn && now < o.deadline, can_decline: loggedIn && now < o.deadline,
      };
    }),
    interactions: agent.interactions.map((i) => {
      const call = i.call;
      const active = i.state === 'active';
      const customer = call.participants.find((p) => p.party === 'customer');
      const consulted = call.consult ? call.participants.find((p) => p.id === call.consult.party) : null;
      const inControl = active && call.primary === agent.agent;
      const state = callState(call);
      return {
        id: i.id, channel: i.channel, origin: i.origin, from: i.from, state: i.state, call_state: state,
        connected: tick(i.started_at),
        held: active && customer?.held_since != null ? tick(customer.held_since) : null,
        consulting: active && call.consult ? tick(call.consult.since) : null,
        consult_held: active && consulted?.held_since != null ? tick(consulted.held_since) : null,
        wrap_up: i.state === 'wrap_up' ? tick(i.state_since) : null,
        in_control: inControl, owner: call.owner === agent.agent, done_needs_code: call.owner === agent.agent && profile.wrap_up.required,
        recording: call.recording,
        participants: call.participants.map((p) => ({ id: p.id, party: p.party, me: p.party?.agent === agent.agent, held: p.held_since != null })),
        history: call.history,
        actions: {
          end: inControl, done: i.state === 'wrap_up',
          hold: inControl && state === 'connected', resume: inControl && state === 'on_hold',
          dtmf: active && i.channel === 'voice', record: inControl && call.recordable && !call.recording,
        },
      };
    }),
    wrap_up_codes: profile.wrap_up.codes,
    wrap_up_required: profile.wrap_up.required,
    can_login: !loggedIn,
    can_logout: loggedIn && !engaged,
    can_outdial: loggedIn && !engaged,
    rona: loggedIn && rona ? { cause: agent.rona_cause, go_idle: profile.default_idle_status, go_available: profile.available_status } : null,
  };
}

/**
 * The fields both sides fold into their digest, as the bench module does
 * in Rust: the status, the last digit of its timer, the offers and their
 * flashes, the interactions with their call states, and the RONA choice.
 */
export function digestOf(view) {
  const timer = view.status.timer ?? '';
  let value = timer.length * 8 + (timer.length ? timer.charCodeAt(timer.length - 1) : 0) * (1 << 21);
  value += view.status.id.length + view.offers.length * 256 + view.interactions.length * 4096;
  for (const offer of view.offers) if (offer.flashing) value += 1024;
  for (const interaction of view.interactions) value += CALL_STATES.indexOf(interaction.call_state) * 65_536;
  return (value + (view.rona ? 1 << 20 : 0)) >>> 0;
}

/** An actor of the machine, started. */
export function startAgent() {
  return createActor(agentMachine).start();
}
