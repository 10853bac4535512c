// Reads an .alog the way Artisan does — Python's ast.literal_eval on the file's text — and hands the dict
// back as JSON, after the checks that Artisan's profile loader relies on. The loader reads each key only
// when present, but what it reads it uses as is: timex, temp1 and temp2 as parallel series (-1 a gap it
// fills), the eight timeindex entries as sample indexes of CHARGE, DRY END, FC START, FC END, SC START,
// SC END, DROP and COOL (CHARGE -1 and the others 0 when unset), the first four etypes as the control
// events' names, specialevents* as parallel lists of sample index, type, value and label, weight as
// [in, out, unit], roastisodate and roasttime as an ISO date and a time, roastepoch as whole seconds, the
// temperatures in the unit `mode` names, and computed as a dict.
import { execFile } from 'node:child_process';
import { z } from 'zod';

const readBack = `
import ast, datetime, json, numbers, sys
profile = ast.literal_eval(sys.stdin.read())
assert isinstance(profile, dict), 'not a dict'
for key in ('mode', 'timex', 'temp1', 'temp2', 'timeindex'):
    assert key in profile, key + ' missing'
n = len(profile['timex'])
assert len(profile['temp1']) == n and len(profile['temp2']) == n, 'curve lengths differ'
assert all(isinstance(v, numbers.Real) for key in ('timex', 'temp1', 'temp2') for v in profile[key]), 'a reading is not a number'
assert all(a <= b for a, b in zip(profile['timex'], profile['timex'][1:])), 'timex goes back'
assert profile['mode'] in ('C', 'F'), 'mode'
timeindex = profile['timeindex']
assert len(timeindex) == 8 and all(isinstance(i, int) for i in timeindex), 'timeindex needs 8 indexes'
assert -1 <= timeindex[0] < max(n, 1) and all(0 <= i < max(n, 1) for i in timeindex[1:]), 'timeindex outside the curve'
assert len(profile['etypes']) >= 4 and all(isinstance(e, str) for e in profile['etypes']), 'etypes needs 4 names'
events = profile['specialevents']
for key in ('specialeventstype', 'specialeventsvalue', 'specialeventsStrings'):
    assert len(profile[key]) == len(events), key + ' length'
assert all(isinstance(i, int) and 0 <= i < n for i in events), 'an event outside the curve'
weight = profile['weight']
assert len(weight) == 3 and all(isinstance(w, numbers.Real) for w in weight[:2]) and weight[2] in ('g', 'Kg', 'lb', 'oz'), 'weight'
datetime.date.fromisoformat(profile['roastisodate'])
datetime.time.fromisoformat(profile['roasttime'])
assert isinstance(profile['roastepoch'], int), 'roastepoch'
assert isinstance(profile['computed'], dict), 'computed'
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
