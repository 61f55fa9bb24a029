import { randomUUID } from 'node:crypto';
// jambonz's own verb specification (a dependency of @jambonz/node-client), as its feature server checks verbs.
import specs from '@jambonz/verb-specifications/specs.json';

/** A member of a conference, as the feature server's conference task keeps it. */
export interface FakeMember {
  callSid: string;
  tag: string | undefined;
  muted: boolean;
  held: boolean;
  /** The tag its audio goes to only (coach mode), or undefined. */
  speakOnlyTo: string | undefined;
  endConferenceOnExit: boolean;
}

/** A leg jambonz knows: a call it placed (`POST …/Calls`) or the B leg of a call's dial. */
export interface FakeLeg {
  sid: string;
  /** The customer's leg this is the dial's B leg of (`parent_call_sid`). */
  parent?: string;
  /** `unknown` for calls whose progress the tests drive by hand (the customer's). */
  state: 'unknown' | 'ringing' | 'answered' | 'ended';
  conference?: string;
  created?: Record<string, unknown>;
}

export interface FakeConference {
  name: string;
  statusHook?: { url: string };
  statusEvents: string[];
  members: Map<string, FakeMember>;
}

type Hook = (url: string, body: Record<string, unknown>) => Promise<{ status: number; verbs: Array<Record<string, unknown>> }>;
type Json = Record<string, unknown>;

/**
 * The calls and conferences of a jambonz feature server, for the fake API: live call control
 * (`PUT …/Calls/{sid}`) checked as jambonz's API server checks it (accounts.js validateUpdateCall:
 * one property per request, the enums) and applied as the feature server does (call-session.js
 * updateCall, tasks/conference.js): a `call_hook` redirect (with `child_call_hook` for a dial's B
 * leg) fetches the hooks and runs their verbs, a `conference` verb joins the leg (its statusHook,
 * kept by whoever started the conference, told of `join` and `leave`), `conf_hold_status` holds a
 * member, `mute_status` mutes it, `conferenceParticipantAction` coaches or uncoaches it, and
 * `call_status` hangs a leg up (`completed` needs an answered leg, `no-answer` a ringing one).
 */
export class FakeJambonzConferences {
  readonly legs = new Map<string, FakeLeg>();
  readonly conferences = new Map<string, FakeConference>();
  /** Each hook fetched for a redirect or an answered party: its URL, the leg and the verbs it got. */
  readonly hooks: Array<{ url: string; sid: string; verbs: Json[] }> = [];
  /** Conference status hooks posted: the event and the member's call_sid. */
  readonly events: Array<{ event: string; callSid: string; status: number }> = [];
  /** Requests jambonz takes (202) but its feature server ignores: a conference command to a leg in no conference. */
  readonly ignored: Array<{ sid: string; body: Json }> = [];
  private work: Promise<unknown> = Promise.resolve();

  constructor(private readonly account: string, private readonly hook: Hook, private readonly post: (url: string, body: Json) => Promise<number>) {}

  /** A `POST …/Calls` body's problem, as jambonz's API server words it, or undefined. */
  static createRefusal(body: Json): string | undefined {
    if (typeof body.from !== 'string' || !body.from) return 'missing from parameter';
    const to = body.to as Json | undefined;
    const target = typeof to === 'object' && to !== null && (
      (to.type === 'phone' && typeof to.number === 'string') || (to.type === 'user' && typeof to.name === 'string') || (to.type === 'sip' && typeof to.sipUri === 'string'));
    if (!target) return `missing or invalid to property: ${JSON.stringify(to)}`;
    const hook = body.call_hook as Json | undefined;
    if (!hook || typeof hook.url !== 'string' || !/^https?:/.test(hook.url)) return 'call_hook url be an absolute url';
    const status = body.call_status_hook as Json | undefined;
    if (!status || typeof status.url !== 'string' || !/^https?:/.test(status.url)) return 'call_status_hook url be an absolute url';
    return undefined;
  }

  /** A `PUT …/Calls/{sid}` body's problem, as jambonz's API server words it (validateUpdateCall), or undefined. */
  static updateRefusal(body: Json): string | undefined {
    const props = ['call_hook', 'child_call_hook', 'call_status', 'listen_status', 'transcribe_status', 'conf_hold_status', 'conf_mute_status',
      'mute_status', 'sip_request', 'record', 'tag', 'dtmf', 'conferenceParticipantAction', 'dub', 'boostAudioSignal', 'media_path'];
    const count = props.filter((p) => body[p]).length;
    if (count === 0 && !body.whisper) return 'no valid options supplied to updateCall';
    if (count > 1 && !(count === 2 && ((body.call_hook && body.child_call_hook) || (body.conf_hold_status && body.waitHook)))) {
      return 'multiple options are not allowed in updateCall';
    }
    const enums: Array<[string, string[]]> = [['call_status', ['completed', 'no-answer']], ['listen_status', ['pause', 'silence', 'resume']],
      ['mute_status', ['mute', 'unmute']], ['conf_hold_status', ['hold', 'unhold']], ['conf_mute_status', ['mute', 'unmute']]];
    for (const [prop, allowed] of enums) if (body[prop] && !allowed.includes(body[prop] as string)) return `invalid ${prop}`;
    const action = body.conferenceParticipantAction as Json | undefined;
    if (action) {
      if (!['tag', 'untag', 'coach', 'uncoach', 'mute', 'unmute', 'hold', 'unhold'].includes(action.action as string)) {
        return `conferenceParticipantAction invalid action property ${String(action.action)}`;
      }
      if ((action.action === 'tag' || action.action === 'coach') && !action.tag) return `conferenceParticipantAction requires tag property when action is '${String(action.action)}'`;
    }
    return undefined;
  }

  /** A call jambonz placed: a party the gateway dialled rings until a test answers it. */
  created(sid: string, body: Json): void {
    const party = typeof (body.tag as Json | undefined)?.participantId === 'string';
    this.legs.set(sid, { sid, state: party ? 'ringing' : 'unknown', created: body });
  }

  knows(sid: string): boolean {
    return this.legs.has(sid);
  }

  /** Everything the feature server does after its 202 has been done (hooks fetched, members joined, events posted). */
  async settled(): Promise<void> {
    let seen: Promise<unknown> | undefined;
    while (seen !== this.work) {
      seen = this.work;
      await seen;
    }
  }

  /** Applies one accepted update; the status jambonz answers (202, or 422 with its message). */
  control(sid: string, body: Json): { status: number; msg?: string } {
    let leg = this.legs.get(sid);
    if (!leg) {
      // A call a test made known by hand (an inbound caller's leg).
      leg = { sid, state: 'unknown' };
      this.legs.set(sid, leg);
    }
    const member = leg.conference ? this.conferences.get(leg.conference)?.members.get(sid) : undefined;
    if (body.call_status) {
      const ok = body.call_status === 'completed' ? leg.state !== 'ringing' && leg.state !== 'ended' : leg.state === 'ringing' || leg.state === 'unknown';
      if (!ok) return { status: 422, msg: `current call state is incompatible with requested action for call_sid ${sid}` };
      this.queue(() => this.end(leg));
      return { status: 202 };
    }
    if (body.call_hook || body.child_call_hook) {
      // Redirects into a conference run here; the tests that make other redirects (transfer, voicemail) fetch those hooks themselves.
      const hooks = [body.call_hook, body.child_call_hook].map((h) => String((h as Json | undefined)?.url ?? ''));
      if (hooks.some((url) => url.includes('/conference/'))) {
        this.queue(() => this.redirect(leg, body.call_hook as Json | undefined, body.child_call_hook as Json | undefined));
      } else if (leg.conference) {
        this.queue(() => this.leave(leg, false));
      }
      return { status: 202 };
    }
    const confCommand = body.conf_hold_status || body.conferenceParticipantAction || body.conf_mute_status;
    if (!member) {
      if (confCommand) this.ignored.push({ sid, body });
      return { status: 202 };
    }
    if (body.conf_hold_status) member.held = body.conf_hold_status === 'hold';
    if (body.mute_status) member.muted = body.mute_status === 'mute';
    const action = body.conferenceParticipantAction as Json | undefined;
    if (action?.action === 'coach') member.speakOnlyTo = action.tag as string;
    if (action?.action === 'uncoach') member.speakOnlyTo = undefined;
    if (action?.action === 'mute' || action?.action === 'unmute') member.muted = action.action === 'mute';
    if (action?.action === 'hold' || action?.action === 'unhold') member.held = action.action === 'hold';
    return { status: 202 };
  }

  /** A dialled party answers: jambonz posts its call_status_hook, fetches its call_hook and runs the verbs. */
  async answer(sid: string): Promise<Json[]> {
    const leg = this.legs.get(sid)!;
    leg.state = 'answered';
    await this.status(sid, 'in-progress');
    const url = (leg.created!.call_hook as { url: string }).url;
    const { verbs } = await this.hook(url, this.info(leg));
    this.hooks.push({ url, sid, verbs });
    await this.run(leg, verbs);
    return verbs;
  }

  /** Posts a dialled party's call_status_hook with `status`; an ending leaves the leg ended. */
  async status(sid: string, status: string): Promise<number> {
    const leg = this.legs.get(sid)!;
    if (['completed', 'no-answer', 'busy', 'failed'].includes(status)) await this.leave(leg, true);
    const url = (leg.created!.call_status_hook as { url: string }).url;
    return this.post(url, { ...this.info(leg), call_status: status, sip_status: status === 'in-progress' ? 200 : status === 'busy' ? 486 : 180 });
  }

  member(name: string, tag: string): FakeMember | undefined {
    return [...(this.conferences.get(name)?.members.values() ?? [])].find((m) => m.tag === tag);
  }

  private queue(work: () => Promise<unknown>): void {
    this.work = this.work.then(work).catch((error: unknown) => {
      // eslint-disable-next-line no-console
      console.error('fake jambonz:', error);
    });
  }

  private info(leg: FakeLeg): Json {
    return {
      call_sid: leg.sid, direction: 'outbound', call_status: 'in-progress', account_sid: this.account,
      ...(leg.parent ? { parent_call_sid: leg.parent } : {}),
      ...(leg.created?.tag ? { customer_data: leg.created.tag } : {}),
    };
  }

  /** call-session.js _lccCallHook: both hooks fetched, then the parent's and the B leg's new verbs run. */
  private async redirect(leg: FakeLeg, callHook?: Json, childHook?: Json): Promise<void> {
    let child: FakeLeg | undefined;
    if (childHook) {
      child = [...this.legs.values()].find((l) => l.parent === leg.sid && l.state !== 'ended');
      if (!child) {
        child = { sid: randomUUID(), parent: leg.sid, state: 'answered' };
        this.legs.set(child.sid, child);
      }
    }
    const [parent, b] = await Promise.all([
      callHook ? this.hook(callHook.url as string, this.info(leg)) : undefined,
      child && childHook ? this.hook(childHook.url as string, this.info(child)) : undefined,
    ]);
    if (parent) this.hooks.push({ url: callHook!.url as string, sid: leg.sid, verbs: parent.verbs });
    if (b) this.hooks.push({ url: childHook!.url as string, sid: child!.sid, verbs: b.verbs });
    if (parent) await this.run(leg, parent.verbs);
    if (child && b) await this.run(child, b.verbs);
  }

  /** The leg's new application: a `conference` verb joins it (checked against jambonz's verb specification). */
  private async run(leg: FakeLeg, verbs: Json[]): Promise<void> {
    await this.leave(leg, false);
    const verb = verbs[0];
    if (!verb || verb.verb === 'hangup') return this.end(leg);
    if (verb.verb !== 'conference') return;
    checkVerb(verb);
    const name = verb.name as string;
    let conference = this.conferences.get(name);
    if (!conference) {
      if (verb.startConferenceOnEnter === false) throw new Error('waiting for a moderator is not modelled');
      conference = { name, statusHook: verb.statusHook as { url: string } | undefined, statusEvents: (verb.statusEvents as string[] | undefined) ?? [], members: new Map() };
      this.conferences.set(name, conference);
    }
    leg.conference = name;
    conference.members.set(leg.sid, {
      callSid: leg.sid, tag: verb.memberTag as string | undefined,
      // tasks/conference.js joins a member muted for joinMuted and for speakOnlyTo (and never unmutes the latter itself).
      muted: Boolean(verb.joinMuted || verb.speakOnlyTo), held: false, speakOnlyTo: verb.speakOnlyTo as string | undefined,
      endConferenceOnExit: verb.endConferenceOnExit === true,
    });
    await this.notify(conference, 'join', leg);
  }

  private async end(leg: FakeLeg): Promise<void> {
    await this.leave(leg, true);
    leg.state = 'ended';
  }

  /** The leg leaves its conference; a member that ends the conference on exit takes the others' legs with it. */
  private async leave(leg: FakeLeg, gone: boolean): Promise<void> {
    const conference = leg.conference ? this.conferences.get(leg.conference) : undefined;
    leg.conference = undefined;
    if (gone) leg.state = 'ended';
    const member = conference?.members.get(leg.sid);
    if (!conference || !member) return;
    conference.members.delete(leg.sid);
    await this.notify(conference, 'leave', leg);
    if (member.endConferenceOnExit) {
      this.conferences.delete(conference.name);
      for (const sid of [...conference.members.keys()]) {
        const other = this.legs.get(sid)!;
        other.conference = undefined;
        other.state = 'ended';
        await this.notify(conference, 'leave', other);
      }
    }
  }

  private async notify(conference: FakeConference, event: string, leg: FakeLeg): Promise<void> {
    if (!conference.statusHook || !conference.statusEvents.includes(event)) return;
    const status = await this.post(conference.statusHook.url, {
      event, conference_sid: `conf:${this.account}:${conference.name}`, friendly_name: conference.name, members: conference.members.size,
      time: new Date().toISOString(), duration: 0, ...this.info(leg),
    });
    this.events.push({ event, callSid: leg.sid, status });
  }
}

/** The verb's properties against @jambonz/verb-specifications (names and types, `name` required). */
function checkVerb(verb: Json): void {
  const spec = (specs as unknown as Record<string, { properties: Record<string, string>; required?: string[] }>)[verb.verb as string];
  if (!spec) throw new Error(`unknown verb ${String(verb.verb)}`);
  for (const required of spec.required ?? []) if (verb[required] === undefined) throw new Error(`${String(verb.verb)}: ${required} is required`);
  for (const [key, value] of Object.entries(verb)) {
    if (key === 'verb') continue;
    const type = spec.properties[key];
    if (!type) throw new Error(`${String(verb.verb)}: unknown property ${key}`);
    const types = type.split('|');
    const actual = Array.isArray(value) ? 'array' : typeof value;
    if (!types.some((t) => t === actual || t.startsWith('#'))) throw new Error(`${String(verb.verb)}: ${key} must be ${type}`);
  }
}
