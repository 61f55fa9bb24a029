import { IsIn, IsString, Matches } from 'class-validator';
import { AGENT_ENDPOINT } from '../../domain/agent-endpoint';
import { SUPERVISOR_MODES, type SupervisorMode } from '../domain/participant';

const ENDPOINT_MESSAGE = { message: 'must be a sip: URI, an E.164 number or user:<name>' };

/** POST /v1/calls/:id/consult */
export class ConsultDto {
  @IsString() @Matches(AGENT_ENDPOINT, ENDPOINT_MESSAGE) to!: string;
}

/** POST /v1/calls/:id/participants: a colleague (`agent`) or another party (`consultee`: an expert, an interpreter). */
export class AddParticipantDto {
  @IsString() @Matches(AGENT_ENDPOINT, ENDPOINT_MESSAGE) to!: string;
  @IsIn(['agent', 'consultee']) role!: 'agent' | 'consultee';
}

/** POST /v1/calls/:id/supervise */
export class SuperviseDto {
  @IsString() @Matches(AGENT_ENDPOINT, ENDPOINT_MESSAGE) endpoint!: string;
  @IsIn(SUPERVISOR_MODES) mode!: SupervisorMode;
}

/** PATCH /v1/calls/:id/supervise/:pid */
export class SupervisorModeDto {
  @IsIn(SUPERVISOR_MODES) mode!: SupervisorMode;
}
