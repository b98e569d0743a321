import type { ServerResponse } from 'node:http';
import type { Logger } from '../logger.js';

/**
 * Work a request starts and does not wait for: the look-up and mail of "forgot password"
 * and sign-up run after the page has gone out, so the answer (its status, body and timing)
 * is the same whether or not the address belongs to someone. A failure is logged, never
 * shown: the page already said all it will say.
 */
export interface AfterAnswer {
  /**
   * Runs `task` once `answer` has been handed to the network (its `finish`, or `close` if the
   * client left), so that not even the task's first synchronous steps delay the answer.
   */
  run(label: string, task: () => Promise<void>, answer: ServerResponse): void;
  /** Resolves when nothing is running (tests; shutdown). */
  idle(): Promise<void>;
}

export function createAfterAnswer(logger: Logger): AfterAnswer {
  const running = new Set<Promise<void>>();
  return {
    run(label, task, answer) {
      const sent = new Promise<void>((resolve) => {
        if (answer.writableFinished || answer.destroyed) return setImmediate(resolve);
        answer.once('finish', resolve);
        answer.once('close', resolve);
      });
      const work: Promise<void> = sent
        .then(task)
        .catch((error: unknown) =>
          logger.warn('account.background_failed', { task: label, err: error }),
        )
        .finally(() => running.delete(work));
      running.add(work);
    },
    async idle() {
      while (running.size > 0) await Promise.all(running);
    },
  };
}
