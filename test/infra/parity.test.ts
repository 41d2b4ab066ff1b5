import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeStateMachineCommand, ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp } from '#infra/app';
import { type FunctionName, functions, type StateMachineName, stateMachines } from '#infra/resources';
import { localStateMachineName } from '#local/cloud';
import { localFunctionArn } from '#local/functions';
import { call } from '#test/support/api';

/**
 * The CDK app and the running local cloud describe the same system: same
 * tables and indexes, same state machine definitions, same routes.
 */
const { stateful, stateless } = buildApp({
  context: { 'aws:cdk:bundling-stacks': [] },
  outdir: mkdtempSync(join(tmpdir(), 'dudao-cdk-')),
});
const statefulTemplate = Template.fromStack(stateful).toJSON();
const statelessTemplate = Template.fromStack(stateless).toJSON();
const dynamo = new DynamoDBClient({});
const sfn = new SFNClient({});

type Cfn = { Type: string; Properties: Record<string, unknown> };
const resources = (template: Record<string, unknown>, type: string) =>
  Object.entries(template.Resources as Record<string, Cfn>).filter(([, r]) => r.Type === type);

const pascal = (name: string) => name[0]!.toUpperCase() + name.slice(1);
const keySchema = (keys: { AttributeName: string; KeyType: string }[]) =>
  keys.map((k) => `${k.AttributeName}:${k.KeyType}`);

describe('CDK app and local cloud', () => {
  it('have the same tables with the same keys and indexes', async () => {
    const cdkTables = resources(statefulTemplate, 'AWS::DynamoDB::GlobalTable');
    const localNames = Object.entries(process.env)
      .filter(([k]) => k.startsWith('TABLE_'))
      .map(([, v]) => v!);
    expect(localNames).toHaveLength(cdkTables.length);
    for (const [logicalId, table] of cdkTables) {
      const localName = `dudao-${logicalId.replace(/Table[0-9A-F]{8}$/, '').toLowerCase()}`;
      const local = (await dynamo.send(new DescribeTableCommand({ TableName: localName }))).Table!;
      const props = table.Properties as {
        KeySchema: { AttributeName: string; KeyType: string }[];
        GlobalSecondaryIndexes: {
          IndexName: string;
          KeySchema: { AttributeName: string; KeyType: string }[];
        }[];
      };
      expect(keySchema(local.KeySchema as never)).toEqual(keySchema(props.KeySchema));
      const indexes = (list: { IndexName?: string; KeySchema?: unknown }[]) =>
        Object.fromEntries(list.map((i) => [i.IndexName, keySchema(i.KeySchema as never)]));
      expect(indexes(local.GlobalSecondaryIndexes ?? [])).toEqual(indexes(props.GlobalSecondaryIndexes));
    }
  });

  it('run the same state machine definitions', async () => {
    const cdkMachines = resources(statelessTemplate, 'AWS::StepFunctions::StateMachine');
    const local = (await sfn.send(new ListStateMachinesCommand({}))).stateMachines ?? [];
    expect(local).toHaveLength(cdkMachines.length);
    for (const name of Object.keys(stateMachines) as StateMachineName[]) {
      const [, machine] = cdkMachines.find(([id]) => id.startsWith(`${pascal(name)}StateMachine`))!;
      const localArn = local.find((m) => m.name === localStateMachineName(name))?.stateMachineArn;
      const described = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: localArn }));
      const substitutions = machine.Properties.DefinitionSubstitutions as Record<
        string,
        { 'Fn::GetAtt': [string] }
      >;
      // Each placeholder of the CDK definition points at a function; locally, at that function's local ARN.
      const cdkDefinition = (machine.Properties.DefinitionString as string).replace(
        /\$\{(\w+)\}/g,
        (_, placeholder: string) => {
          const logicalId = substitutions[placeholder]!['Fn::GetAtt'][0];
          const fn = (Object.keys(functions) as FunctionName[]).find((f) =>
            logicalId.startsWith(`${pascal(f)}Function`),
          )!;
          return localFunctionArn(fn);
        },
      );
      expect(JSON.parse(described.definition!)).toEqual(JSON.parse(cdkDefinition));
    }
  });

  it('serve the same routes', async () => {
    const cdkRoutes = resources(statelessTemplate, 'AWS::ApiGatewayV2::Route')
      .map(([, r]) => r.Properties.RouteKey as string)
      .filter((key) => key !== '$default');
    for (const key of cdkRoutes) {
      const [method, path] = key.split(' ') as [string, string];
      const response = await call(method, path.replace(/\{\w+\}/g, 'x1'));
      // Declared locally: the route answers (401 without a token, or its own validation), never "no such route".
      expect([404, 405].includes(response.status) && /No route|not allowed/.test(response.text), key).toBe(
        false,
      );
    }
    expect((await call('GET', '/not/declared')).status).toBe(404);
  });
});
