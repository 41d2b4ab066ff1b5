import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { WorkflowStarter } from '#core/campaign-service';
import { sfn } from './aws-clients.ts';

/**
 * Starts executions of a workflow, by default with input {campaignId,
 * execution}; a name already used means it already started.
 */
export const createWorkflowStarter = (
  stateMachineArn: string,
  inputOf: (id: string, execution: string) => Record<string, string> = (campaignId, execution) => ({
    campaignId,
    execution,
  }),
): WorkflowStarter => ({
  async start(id, execution) {
    const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${execution}`;
    try {
      const started = await sfn.send(
        new StartExecutionCommand({
          stateMachineArn,
          name: execution,
          input: JSON.stringify(inputOf(id, execution)),
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
