/**
 * Git's quoted form of a path whose bytes are not valid UTF-8 (`core.quotePath`): wrapped in
 * double quotes, with `"` and `\` escaped, C escapes for control characters and octal `\ooo` for
 * every byte outside printable ASCII, e.g. `"caf\351.txt"`. Such a name cannot travel as a
 * JavaScript string without losing bytes, so the manifest keeps it in the form `git ls-files`
 * prints, which is unambiguous and safe to show.
 */
const ESCAPES: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r' };

export function gitQuotedPath(bytes: Uint8Array): string {
  let quoted = '"';
  for (const byte of bytes) {
    if (byte === 0x22) quoted += '\\"';
    else if (byte === 0x5c) quoted += '\\\\';
    else if (ESCAPES[byte] !== undefined) quoted += ESCAPES[byte];
    else if (byte < 0x20 || byte >= 0x7f) quoted += `\\${byte.toString(8).padStart(3, '0')}`;
    else quoted += String.fromCharCode(byte);
  }
  return `${quoted}"`;
}
