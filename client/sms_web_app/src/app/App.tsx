import { useState } from 'react';

import type { AppConfig } from '../config/env';
import { LoginForm } from '../features/auth/components/LoginForm';
import { Inbox } from '../features/inbox/components/Inbox';
import { SpamCheck } from '../features/spam-check/components/SpamCheck';

const ARCHITECTURE_NOTES = {
  I: 'text → model API',
  II: 'features from the online store → model API',
};

export function App({ config }: { config: AppConfig }) {
  const [userId, setUserId] = useState<string | null>(null);
  return (
    <div className="app">
      <header>
        <h1>SMS inbox</h1>
        <p className="model" data-testid="model-info">
          Model {config.modelVersion} · architecture {config.architecture} (
          {ARCHITECTURE_NOTES[config.architecture]})
        </p>
        {userId && (
          <button type="button" className="link" onClick={() => setUserId(null)}>
            Switch user
          </button>
        )}
      </header>
      <main>
        {userId ? (
          <Inbox
            config={config}
            userId={userId}
            renderExtra={(sms) => <SpamCheck config={config} sms={sms} />}
          />
        ) : (
          <LoginForm onLogin={setUserId} />
        )}
      </main>
    </div>
  );
}

export function ConfigProblem({ problems }: { problems: string[] }) {
  return (
    <div className="app">
      <header>
        <h1>SMS inbox</h1>
      </header>
      <main className="problem" role="alert">
        <h2>The app is not configured correctly</h2>
        <ul>
          {problems.map((problem) => (
            <li key={problem}>{problem}</li>
          ))}
        </ul>
        <p>Fix the VITE_… variables (see .env.example) and restart.</p>
      </main>
    </div>
  );
}
