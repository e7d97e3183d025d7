// A consumer of the npm package, compiled with `tsc --strict --noEmit` against
// the built package in pkg/: every public name and payload type must resolve.
import { connect, type Client, type View, type ClientEvents, type RingsideError } from 'ringside';
import { RingsideAgent } from 'ringside/element';

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
