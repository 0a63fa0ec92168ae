import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import { App, ConfigProblem } from './app/App';
import { ConfigError, parseConfig } from './config/env';
import './index.css';

const root = createRoot(document.getElementById('root')!);
try {
  const config = parseConfig(import.meta.env);
  root.render(
    <StrictMode>
      <App config={config} />
    </StrictMode>,
  );
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  root.render(<ConfigProblem problems={error.problems} />);
}
