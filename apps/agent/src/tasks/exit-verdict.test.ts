import { describe, expect, it } from 'vitest';
import { exitVerdict, type TaskEnd } from './exit-verdict.js';

const end = (over: Partial<TaskEnd>): TaskEnd => ({ exitCode: null, signal: null, killRequested: false, oomKilled: false, memLimitMiB: 64, ...over });

describe('exitVerdict', () => {
  it.each<[string, Partial<TaskEnd>, string, string | undefined, string]>([
    ['exit 0', { exitCode: 0 }, 'TASK_FINISHED', undefined, 'status 0'],
    ['exit 3', { exitCode: 3 }, 'TASK_FAILED', 'REASON_COMMAND_EXECUTOR_FAILED', 'status 3'],
    ['command not found', { exitCode: 127 }, 'TASK_FAILED', 'REASON_COMMAND_EXECUTOR_FAILED', 'command not found'],
    ['killed on request', { signal: 'SIGTERM', killRequested: true }, 'TASK_KILLED', undefined, 'kill request'],
    ['killed on request, exit code seen', { exitCode: 143, killRequested: true }, 'TASK_KILLED', undefined, 'kill request'],
    ['OOM', { exitCode: 137, oomKilled: true }, 'TASK_FAILED', 'REASON_CONTAINER_LIMITATION_MEMORY', 'Memory limit exceeded'],
    ['OOM during a kill', { exitCode: 137, oomKilled: true, killRequested: true }, 'TASK_FAILED', 'REASON_CONTAINER_LIMITATION_MEMORY', '64 MiB'],
    ['over its disk quota', { signal: 'SIGKILL', limitation: { reason: 'REASON_CONTAINER_LIMITATION_DISK', message: 'Disk limit exceeded: …' } }, 'TASK_FAILED', 'REASON_CONTAINER_LIMITATION_DISK', 'Disk limit exceeded'],
    ['over its disk quota during a kill', { signal: 'SIGKILL', killRequested: true, limitation: { reason: 'REASON_CONTAINER_LIMITATION_DISK', message: 'Disk limit exceeded: …' } }, 'TASK_FAILED', 'REASON_CONTAINER_LIMITATION_DISK', 'Disk limit exceeded'],
    ['stray signal', { signal: 'SIGSEGV' }, 'TASK_FAILED', 'REASON_COMMAND_EXECUTOR_FAILED', 'signal SIGSEGV'],
    ['unknown (ended while the agent was down)', {}, 'TASK_FAILED', 'REASON_EXECUTOR_TERMINATED', 'unknown'],
  ])('%s', (_what, over, state, reason, message) => {
    const outcome = exitVerdict(end(over));
    expect(outcome.state).toBe(state);
    expect(outcome.reason).toBe(reason);
    expect(outcome.message).toContain(message);
  });
});
