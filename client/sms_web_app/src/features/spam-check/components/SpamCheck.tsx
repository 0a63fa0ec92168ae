import { useState } from 'react';

import type { AppConfig } from '../../../config/env';
import type { Sms } from '../../../types/api';
import { checkSpam, type Verdict } from '../api/check-spam';

type CheckState =
  | { status: 'unchecked' }
  | { status: 'waiting' }
  | { status: 'done'; verdict: Verdict }
  | { status: 'error'; message: string };

function percent(probability: number): string {
  return `${Math.round(probability * 100)}%`;
}

export function SpamCheck({ config, sms }: { config: AppConfig; sms: Sms }) {
  const [state, setState] = useState<CheckState>({ status: 'unchecked' });

  async function run() {
    setState({ status: 'waiting' });
    try {
      setState({ status: 'done', verdict: await checkSpam(config, sms) });
    } catch (error) {
      setState({ status: 'error', message: error instanceof Error ? error.message : String(error) });
    }
  }

  switch (state.status) {
    case 'unchecked':
      return (
        <button type="button" className="check" onClick={run}>
          Check for spam
        </button>
      );
    case 'waiting':
      return (
        <span className="verdict waiting" role="status">
          Checking…
        </span>
      );
    case 'done': {
      const { label, spamProbability } = state.verdict;
      return (
        <span className={`verdict ${label}`} data-testid="verdict">
          {label === 'spam' ? 'Spam' : 'Ham'}
          {spamProbability !== undefined && <small> · spam {percent(spamProbability)}</small>}
        </span>
      );
    }
    case 'error':
      return (
        <span className="verdict error" role="alert">
          {state.message}{' '}
          <button type="button" className="link" onClick={run}>
            Retry
          </button>
        </span>
      );
  }
}
