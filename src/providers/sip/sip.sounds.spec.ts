import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../config/config.loader';
import { defaultSounds, wavOf } from './rtpengine/domain/sounds';
import { loadSipSounds } from './sip.sounds';

describe('SIP_SOUNDS_DIR (what rtpengine plays to inbound SIP callers)', () => {
  it('is read from the environment; unset, the gateway plays its own sounds', () => {
    expect(loadConfig({ env: { SIP_SOUNDS_DIR: '/srv/sounds' }, overrides: {} }).providers).toMatchObject({ sipSoundsDir: '/srv/sounds' });
    expect(loadSipSounds('')).toEqual(defaultSounds());
    expect(loadSipSounds(undefined)).toEqual(defaultSounds());
  });

  it('takes the files it finds by name, the gateway\'s own for the others', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sip-sounds-'));
    const hold = wavOf(new Int16Array(8000));
    writeFileSync(join(dir, 'hold-music.wav'), hold);
    const question = wavOf(new Int16Array(4000));
    writeFileSync(join(dir, 'queue-choice.wav'), question);
    writeFileSync(join(dir, 'notes.txt'), 'not a sound');
    const sounds = loadSipSounds(dir);
    expect(sounds['hold-music'].equals(hold)).toBe(true);
    expect(sounds['queue-choice'].equals(question)).toBe(true);
    expect(sounds.greeting.equals(defaultSounds().greeting)).toBe(true);
    expect(sounds['callback-confirm'].equals(defaultSounds()['callback-confirm'])).toBe(true);
  });

  it('stops the boot on a missing directory or a file rtpengine could not play', () => {
    expect(() => loadSipSounds('/nonexistent/sounds')).toThrow('SIP_SOUNDS_DIR (providers.sipSoundsDir) is not a directory: /nonexistent/sounds');
    const dir = mkdtempSync(join(tmpdir(), 'sip-sounds-'));
    writeFileSync(join(dir, 'greeting.wav'), 'ID3 an mp3 renamed');
    expect(() => loadSipSounds(dir)).toThrow(`SIP_SOUNDS_DIR (providers.sipSoundsDir): ${join(dir, 'greeting.wav')} is not a WAV file (RIFF/WAVE)`);
  });
});
