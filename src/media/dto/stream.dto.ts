import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn, IsString, MaxLength } from 'class-validator';
import { Omittable } from '../../common/errors/validation';
import { TRACKS, type Track } from '../domain/pcm';

/** POST /v1/calls/:id/streams */
export class StartStreamDto {
  /** The receiver: `wss://…` (in development, `ws://` and local hosts too). */
  @IsString() @MaxLength(2000) url!: string;
  /** Which tracks to send (both by default). */
  @Omittable() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(2) @ArrayUnique() @IsIn(TRACKS, { each: true }) tracks?: Track[];
  /** `tracks` (default: one frame per track) or `stereo` (customer left, agent right). */
  @Omittable() @IsIn(['tracks', 'stereo']) format?: 'tracks' | 'stereo';
  @Omittable() @IsIn([8000, 16000]) sampleRate?: 8000 | 16000;
}
