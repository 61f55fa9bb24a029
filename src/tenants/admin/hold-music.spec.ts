import { holdMusicRefusal } from './tenant-admin.service';

describe('a hold music URL set through the admin API', () => {
  it.each<[string, boolean, string | undefined]>([
    ['https://media.example/hold.mp3', true, undefined],
    ['http://media.example/hold.mp3', false, undefined],
    ['http://media.example/hold.mp3', true, 'must be an https URL in production'],
    ['https://user:secret@media.example/hold.mp3', false, 'must not carry credentials'],
    ['https://[bad/hold.mp3', false, 'is not a URL'],
  ])('%s (production: %s) → %s', (url, production, refusal) => {
    expect(holdMusicRefusal(url, production)).toBe(refusal);
  });
});
