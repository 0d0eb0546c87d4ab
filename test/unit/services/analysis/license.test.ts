/** Section 5: license files matched against the SPDX texts despite edited copyright lines. */
import spdxFull from 'spdx-license-list/full.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createCheckoutReader } from '../../../../src/services/analysis/checkout-reader.js';
import { collectManifests } from '../../../../src/services/analysis/dependencies/collect.js';
import { detectLicense } from '../../../../src/services/analysis/license/detect.js';
import { dice, licenseWords, wordBigrams } from '../../../../src/services/analysis/license/normalize.js';
import { matchSpdx } from '../../../../src/services/analysis/license/spdx-matcher.js';
import { makeFixture, type Fixture } from './fixture.js';

const MIT = `MIT License

Copyright (c) 2019-2024 Jane Q. Hacker <jane@example.com> and contributors

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
`;

/** The SPDX Apache-2.0 text as projects commit it: the appendix's placeholder line filled in. */
const APACHE = (spdxFull as Record<string, { licenseText: string }>)['Apache-2.0']!.licenseText.replace(
  /Copyright \[yyyy\] \[name of copyright owner\]/,
  'Copyright 2024 The Widget Authors. All rights reserved.',
);

describe('license detection', () => {
  let fixture: Fixture | undefined;
  afterEach(async () => fixture?.cleanup());

  const detect = async (files: Record<string, string>) => {
    fixture = await makeFixture(files);
    const reader = createCheckoutReader(fixture.root);
    return detectLicense(fixture.manifest.files, await collectManifests(fixture.manifest.files, reader), reader);
  };

  it('MIT with a different copyright line matches MIT exactly', async () => {
    expect(APACHE).toContain('Copyright 2024 The Widget Authors');
    expect(await detect({ LICENSE: MIT, 'package.json': '{"license":"MIT"}' })).toEqual({
      spdx_id: 'MIT',
      confidence: 1,
      file: 'LICENSE',
      source: 'file',
      declared: [{ manifest_path: 'package.json', expression: 'MIT' }],
    });
  });

  it('Apache-2.0 with a filled-in appendix, and without the appendix, is Apache-2.0', async () => {
    const full = await detect({ 'LICENSE.txt': APACHE });
    expect(full).toMatchObject({ spdx_id: 'Apache-2.0', file: 'LICENSE.txt', source: 'file' });
    expect(full.confidence).toBe(1);
    const withoutAppendix = APACHE.slice(0, APACHE.indexOf('END OF TERMS AND CONDITIONS'));
    expect(matchSpdx(withoutAppendix)?.id).toBe('Apache-2.0');
  });

  it('an edited text scores below 1 but still matches; an unrelated text does not', () => {
    const edited = MIT.replace('merge, publish, distribute, sublicense, and/or sell', 'merge and publish');
    const match = matchSpdx(edited);
    expect(match?.id).toBe('MIT');
    expect(match?.score).toBeLessThan(1);
    expect(match?.score).toBeGreaterThan(0.9);
    expect(matchSpdx('# widget\n\nA small library that renders widgets. Install it with npm.\n')).toBeUndefined();
  });

  it('falls back to the root manifest declaration when no license file matches', async () => {
    expect(
      await detect({ 'Cargo.toml': '[package]\nname = "w"\nlicense = "MIT OR Apache-2.0"\n', LICENSE: 'All yours.\n' }),
    ).toEqual({
      spdx_id: 'MIT OR Apache-2.0',
      confidence: 1,
      file: null,
      source: 'declared',
      declared: [{ manifest_path: 'Cargo.toml', expression: 'MIT OR Apache-2.0' }],
    });
  });

  it('reports no license when there is neither a file nor a declaration', async () => {
    expect(await detect({ 'index.js': 'console.log(1)\n' })).toEqual({
      spdx_id: null,
      confidence: 0,
      file: null,
      source: null,
      declared: [],
    });
  });

  it('normalisation drops copyright lines, placeholders, titles and punctuation; Dice is symmetric', () => {
    expect(licenseWords('The MIT License\nCopyright (c) 2020 X\n<year> Permission is "hereby" granted—free.')).toEqual([
      'permission',
      'is',
      'hereby',
      'granted',
      'free',
    ]);
    const a = wordBigrams(['a', 'b', 'c']);
    const b = wordBigrams(['a', 'b', 'd']);
    expect(dice(a, b)).toBe(0.5);
    expect(dice(b, a)).toBe(0.5);
  });
});
