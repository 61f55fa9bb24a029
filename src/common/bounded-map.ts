/**
 * Keeps `value` under `key` in a map of at most `max` entries, the oldest going first. For caches
 * of answers that repeat (statement texts, phone numbers, verified tokens): a key built per call
 * must not grow the map without bound.
 */
export function remember<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  if (map.size >= max) map.delete(map.keys().next().value!);
  map.set(key, value);
}
