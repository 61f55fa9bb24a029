import type { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { VoiceProviderError, type CallRequest } from '../voice-provider.port';
import type { InboundInvite, InboundResponse } from './sip-inbound';
import type { CallAnchor } from './rtpengine/rtpengine.anchor';

// drachtio-srf as its installed source behaves (its bundled typings miss noAck's result and the
// progress callbacks' error argument).
export interface SrfMessage { status: number; body: string; get(name: string): string | undefined }
export interface SrfRequest extends SrfMessage { cancel(callback?: (err?: Error) => void): void }
export interface SrfDialog extends EventEmitter {
  sip: { callId: string }; local: { sdp: string; contact?: string }; remote: { sdp: string };
  destroy(): Promise<unknown>;
  modify(sdp: string): Promise<string>;
  request(opts: { method: string; headers?: Record<string, string>; body?: string }): Promise<SrfMessage>;
}
/** A request from the far end inside a dialog (srf's 'modify' event: a re-INVITE with an offer). */
export interface SrfResponse { send(status: number, opts?: { body?: string; headers?: Record<string, string> }): void }
/** The agent's 200 to our offer-less INVITE, which we ACK at once with a black-hole answer. */
export interface AgentOffer { sdp: string; ack(sdp: string): Promise<SrfDialog>; destroy(): Promise<void> }
export interface UacOptions {
  headers?: Record<string, string>; localSdp?: string; noAck?: boolean; callingNumber?: string;
  /** Answers a 401/407 with a digest of these (drachtio-srf lib/digest-client.js), once per INVITE. */
  auth?: { username: string; password: string };
}
export interface SrfClient extends EventEmitter {
  connect(opts: Record<string, unknown>): void;
  disconnect(): void;
  /** Inbound: the handler of INVITEs drachtio-server hands this app (sip-inbound.ts). */
  invite(handler: (req: InboundInvite, res: InboundResponse) => void): void;
  createB2BUA(req: InboundInvite, res: InboundResponse, uri: string, opts: Record<string, unknown>): Promise<{ uas: SrfDialog; uac: SrfDialog }>;
  /** Answers an inbound INVITE (200 OK with `localSdp`): voicemail (sip.voicemail.ts). */
  createUAS(req: InboundInvite, res: InboundResponse, opts: { localSdp: string; headers?: Record<string, string> }): Promise<SrfDialog>;
  createUAC(uri: string, opts: UacOptions, progress: {
    cbRequest?: (err: Error | null, req?: SrfRequest) => void; cbProvisional?: (res: SrfMessage) => void;
  }): Promise<SrfDialog | AgentOffer>;
}

export interface SipCall {
  callId: string;
  /** Call-ID of the customer leg: our providerRef, chosen before that leg exists. */
  ref: string;
  request: CallRequest;
  customerUri: string;
  log: Logger;
  // Each leg goes INVITE sent → (agent: 200 not yet ACKed →) dialog; released legs are cleared.
  agentInvite?: SrfRequest; agentOffer?: AgentOffer; agent?: SrfDialog;
  customerInvite?: SrfRequest; customer?: SrfDialog;
  /** `invited`: the agent INVITE went out, so failures are reported rather than thrown by place(). */
  invited: boolean; answered: boolean; rang: boolean; ended: boolean;
  /** re-INVITEs we have in flight on either leg: a re-INVITE from the far end meanwhile is glare (491). */
  renegotiating: number;
  /** Where the legs' descriptions pass (rtpengine, or unchanged); every offer/answer goes through it. */
  anchor: CallAnchor;
  /** Stops the call's live audio feeds (rtpengine subscriptions), run when the call is disposed. */
  audio: Set<() => void>;
  /** Clears the ring timer once the customer answers. */
  stopRinging?: () => void;
  /** The colleague being consulted while the customer holds (sip.consult.ts). */
  consultee?: ConsulteeLeg;
  /**
   * The participant ref of whoever is on the agent leg: `agent`, or the consultee's participant id
   * once a completed consultation has handed the customer over (sip.consult.ts).
   */
  agentRef?: string;
  /** The sink's chain for this call, so that it sees the call's facts in order. */
  reports: Promise<void>;
  detach: Array<() => void>;
  disposal?: Promise<void>;
}

/** The consultee's leg (sip.consult.ts): INVITE sent → dialog → bridged with the agent. */
export interface ConsulteeLeg {
  participantId: string;
  invite?: SrfRequest;
  dialog?: SrfDialog;
  /** The agent has been re-INVITEd with the consultee's media: they talk, the customer holds. */
  bridged: boolean;
  /** We CANCELled or BYEd it (cancel, the call's end): its ending is not reported as a fact. */
  released: boolean;
  /** The ring timer fired and CANCELled it: its 487 means no answer. */
  timedOut: boolean;
  detach: Array<() => void>;
  /** The participant sink's chain for this leg, so that its facts arrive in order. */
  reports: Promise<void>;
}

/** srf throws when its socket is already gone; then there is nothing left to disconnect. */
export function disconnect(srf: SrfClient): void {
  try {
    srf.disconnect();
  } catch {
    // already closed
  }
}

export function required<T>(value: T | undefined, leg: string): T {
  if (value === undefined) throw new VoiceProviderError(`the ${leg} leg is not connected`);
  return value;
}

export function statusOf(err: unknown): number | undefined {
  const status = (err as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
