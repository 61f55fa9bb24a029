import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SOUND_NAMES, soundProblem, withDefaults, type SoundName, type Sounds } from './rtpengine/domain/sounds';

/**
 * The sounds rtpengine plays to SIP callers (`SIP_SOUNDS_DIR`): `greeting.wav`, `hold-music.wav`,
 * `voicemail-prompt.wav`, `beep.wav`, and for the queue timeout's choice `queue-choice.wav` (the
 * question: 1 voicemail, 2 callback) and `callback-confirm.wav` (heard before the call ends), each optional (the gateway's own tones stand in for a
 * missing one). Read once at boot and checked, so a file rtpengine cannot take stops the start
 * rather than a caller's wait; the gateway hands them to rtpengine itself, so rtpengine needs no
 * access to this directory.
 */
export function loadSipSounds(dir: string | undefined): Sounds {
  if (!dir) return withDefaults({});
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`SIP_SOUNDS_DIR (providers.sipSoundsDir) is not a directory: ${dir}`);
  const given: Partial<Record<SoundName, Buffer>> = {};
  for (const name of SOUND_NAMES) {
    const path = join(dir, `${name}.wav`);
    if (!existsSync(path)) continue;
    const file = readFileSync(path);
    const problem = soundProblem(file);
    if (problem) throw new Error(`SIP_SOUNDS_DIR (providers.sipSoundsDir): ${path} ${problem}`);
    given[name] = file;
  }
  return withDefaults(given);
}
