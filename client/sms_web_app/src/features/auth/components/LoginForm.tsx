import { useState, type FormEvent } from 'react';

const USER_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** "Logging in" is typing a name: this demo has no real authentication. */
export function LoginForm({ onLogin }: { onLogin: (userId: string) => void }) {
  const [name, setName] = useState('');
  const [problem, setProblem] = useState<string | null>(null);

  function submit(event: FormEvent) {
    event.preventDefault();
    const userId = name.trim();
    if (!USER_ID.test(userId)) {
      setProblem('Use letters, digits, ".", "_" or "-" (for example fiona).');
      return;
    }
    onLogin(userId);
  }

  return (
    <form className="login" onSubmit={submit}>
      <label htmlFor="user">Your name</label>
      <input
        id="user"
        value={name}
        autoComplete="username"
        placeholder="fiona"
        onChange={(event) => setName(event.target.value)}
      />
      <button type="submit">Open inbox</button>
      {problem && <p className="problem">{problem}</p>}
      <p className="hint">No password: try fiona, max, ellen or otto.</p>
    </form>
  );
}
