import { IsIn } from 'class-validator';
import { RECORDING_ACTIONS, type RecordingAction } from '../domain/recording-state';

/** POST /v1/calls/:id/recording */
export class RecordingCommandDto {
  @IsIn(RECORDING_ACTIONS) action!: RecordingAction;
}
