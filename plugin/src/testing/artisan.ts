// Reads an .alog the way Artisan does — Python's ast.literal_eval on the file's text — and hands the dict
// back as JSON, with the checks Artisan's loader relies on: the curve arrays of one length, eight
// timeindex entries, a temperature mode.
import { execFile } from 'node:child_process';
import { z } from 'zod';

const readBack = `
import ast, json, sys
profile = ast.literal_eval(sys.stdin.read())
assert isinstance(profile, dict), 'not a dict'
for key in ('mode', 'timex', 'temp1', 'temp2', 'timeindex'):
    assert key in profile, key + ' missing'
assert len(profile['timex']) == len(profile['temp1']) == len(profile['temp2']), 'curve lengths differ'
assert len(profile['timeindex']) == 8, 'timeindex needs 8 entries'
assert profile['mode'] in ('C', 'F'), 'mode'
n = len(profile['specialevents'])
for key in ('specialeventstype', 'specialeventsvalue', 'specialeventsStrings'):
    assert len(profile[key]) == n, key + ' length'
json.dump(profile, sys.stdout)
`;

export const ArtisanProfile = z.object({
  mode: z.enum(['C', 'F']),
  title: z.string(),
  beans: z.string(),
  weight: z.tuple([z.number(), z.number(), z.string()]),
  roastisodate: z.string(),
  roasttime: z.string(),
  roastepoch: z.number(),
  roastUUID: z.string(),
  timex: z.array(z.number()),
  temp1: z.array(z.number()),
  temp2: z.array(z.number()),
  timeindex: z.array(z.int()).length(8),
  etypes: z.array(z.string()),
  specialevents: z.array(z.int()),
  specialeventstype: z.array(z.int()),
  specialeventsvalue: z.array(z.number()),
  specialeventsStrings: z.array(z.string()),
  computed: z.record(z.string(), z.number()),
});
export type ArtisanProfile = z.infer<typeof ArtisanProfile>;

export function readAlog(text: string): Promise<ArtisanProfile> {
  return new Promise((resolve, reject) => {
    const child = execFile('python3', ['-c', readBack], { maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`Artisan's read-back failed: ${stderr || err.message}`));
      else resolve(ArtisanProfile.parse(JSON.parse(stdout)));
    });
    child.stdin?.end(text);
  });
}
