import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { WorkflowStarter } from '#core/campaign-service';

/**
 * Starts executions of one workflow. The execution name is the idempotency
 * key: a name already used means that execution already started (Step
 * Functions refuses a second one), so a retried request never starts two.
 * `start(id, execution)` gives the workflow {campaignId, execution} unless
 * `inputOf` says otherwise.
 */
export const createWorkflowStarter = (
  sfn: SFNClient,
  stateMachineArn: string,
  inputOf: (id: string, execution: string) => Record<string, string> = (campaignId, execution) => ({
    campaignId,
    execution,
  }),
): WorkflowStarter & { startNew(name: string, input: unknown): Promise<boolean> } => {
  /** True when this call started the execution, false when it existed. */
  const startNew = async (name: string, input: unknown) => {
    try {
      await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
      return true;
    } catch (error) {
      if (error instanceof ExecutionAlreadyExists) return false;
      throw error;
    }
  };
  return {
    startNew,
    async start(id, execution) {
      await startNew(execution, inputOf(id, execution));
      return { executionArn: `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${execution}` };
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
  };
};
