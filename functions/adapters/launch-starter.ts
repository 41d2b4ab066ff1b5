import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { LaunchStarter } from '#core/campaign-service';
import { sfn } from './aws-clients.ts';

/** Starts launch-campaign executions; a name already used means this launch already started. */
export const createLaunchStarter = (stateMachineArn: string): LaunchStarter => ({
  async start(campaignId, execution) {
    const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${execution}`;
    try {
      const started = await sfn.send(
        new StartExecutionCommand({
          stateMachineArn,
          name: execution,
          input: JSON.stringify({ campaignId, execution }),
        }),
      );
      return { executionArn: started.executionArn ?? executionArn };
    } catch (error) {
      if (error instanceof ExecutionAlreadyExists) return { executionArn };
      throw error;
    }
  },
  async describe(executionArn) {
    try {
      const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      return { status: d.status ?? 'UNKNOWN', ...(d.error ? { error: d.error } : {}) };
    } catch (error) {
      if (error instanceof ExecutionDoesNotExist) return undefined;
      throw error;
    }
  },
});
