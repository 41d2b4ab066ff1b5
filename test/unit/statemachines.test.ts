import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { functions, stateMachines } from '#infra/resources';

// asl-validator is CommonJS with a default-exported function.
const aslValidator = createRequire(import.meta.url)('asl-validator') as (
  definition: unknown,
  options?: { checkPaths?: boolean; checkArn?: boolean },
) => { isValid: boolean; errorsText: (separator?: string) => string };

const files = readdirSync('statemachines').filter((f) => f.endsWith('.asl.json'));
const declared = Object.values(stateMachines);

describe('state machine files', () => {
  it('are each declared once, and every declaration has its file', () => {
    expect(declared.map((m) => m.file).sort()).toEqual(files.map((f) => `statemachines/${f}`).sort());
  });

  it.each(
    declared.map((m) => [m.file, m] as const),
  )('%s passes asl-validator with its substitutions', (file, machine) => {
    const text = readFileSync(file, 'utf8');
    const placeholders = new Set([...text.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]));
    expect([...placeholders].sort()).toEqual(Object.keys(machine.substitutions).sort());
    for (const fn of Object.values(machine.substitutions)) expect(functions).toHaveProperty(fn);

    const substituted = text.replace(
      /\$\{(\w+)\}/g,
      (_, name: string) =>
        `arn:aws:lambda:us-east-1:123456789012:function:${machine.substitutions[name as never]}`,
    );
    const result = aslValidator(JSON.parse(substituted), { checkPaths: true, checkArn: true });
    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('use only what both runtimes execute alike (no JSONata, variables, distributed maps or task tokens)', () => {
    for (const file of files) {
      const text = readFileSync(`statemachines/${file}`, 'utf8');
      expect(text, file).not.toMatch(
        /"QueryLanguage"\s*:\s*"JSONata"|"Assign"\s*:|"Mode"\s*:\s*"DISTRIBUTED"|waitForTaskToken/,
      );
    }
  });
});

type State = {
  Type: string;
  Retry?: { ErrorEquals: string[] }[];
  Catch?: { ErrorEquals: string[] }[];
  ItemProcessor?: { States: Record<string, State> };
};
const allStates = (states: Record<string, State>): [string, State][] =>
  Object.entries(states).flatMap(([name, state]) => [
    [name, state] as [string, State],
    ...(state.ItemProcessor ? allStates(state.ItemProcessor.States) : []),
  ]);

describe('failure handling in the state machines', () => {
  /** What Lambda itself answers when it cannot run a function for a while (AWS's recommended Retry list). */
  const lambdaErrors = [
    'Lambda.ServiceException',
    'Lambda.AWSLambdaException',
    'Lambda.SdkClientException',
    'Lambda.TooManyRequestsException',
  ];

  it.each(files)('%s retries every Task on Lambda service errors and transient step errors', (file) => {
    const { States } = JSON.parse(readFileSync(`statemachines/${file}`, 'utf8')) as {
      States: Record<string, State>;
    };
    for (const [name, state] of allStates(States).filter(([, s]) => s.Type === 'Task')) {
      const retried = (state.Retry ?? []).flatMap((r) => r.ErrorEquals);
      expect(retried, `${file}: ${name}`).toEqual(
        expect.arrayContaining(['TransientError', ...lambdaErrors]),
      );
    }
  });

  it.each(files)('%s catches a failure of the step that records failures', (file) => {
    const { States } = JSON.parse(readFileSync(`statemachines/${file}`, 'utf8')) as {
      States: Record<string, State>;
    };
    const marker = States['Mark failed'];
    expect(
      marker?.Catch?.flatMap((c) => c.ErrorEquals),
      file,
    ).toContain('States.ALL');
  });
});
