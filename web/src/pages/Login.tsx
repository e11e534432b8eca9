import { ExclamationTriangleIcon } from '@radix-ui/react-icons';
import { Button, Callout, Flex, Link } from '@radix-ui/themes';
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link as RouterLink } from 'react-router';
import { api, unwrap } from '../api/client';
import { errorMessage } from '../api/errors';
import { session } from '../api/session';
import { usePageTitle } from '../app/usePageTitle';
import { AuthShell } from '../components/AuthShell';
import { FormField } from '../components/FormField';

export default function Login() {
  usePageTitle('Sign in');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [missing, setMissing] = useState<string | null>(null);

  // Storing the tokens is enough: the signed-out route guard then moves the user on.
  const login = useMutation({
    mutationFn: (body: { email: string; password: string }) => unwrap(api.auth.login.$post({ json: body })),
    onSuccess: (pair) => session.store(pair),
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!email.trim() || !password) {
      setMissing('Enter your email and password.');
      return;
    }
    setMissing(null);
    login.mutate({ email: email.trim(), password });
  }

  const error = missing ?? (login.isError ? errorMessage(login.error) : null);

  return (
    <AuthShell
      title="Sign in"
      subtitle="Welcome back. Sign in to manage your imports and stores."
      footer={
        <>
          New to SourcePilot?{' '}
          <Link asChild weight="medium">
            <RouterLink to="/register">Create an account</RouterLink>
          </Link>
        </>
      }
    >
      <form onSubmit={submit} noValidate>
        <Flex direction="column" gap="4">
          {error && (
            <Callout.Root color="red" role="alert">
              <Callout.Icon>
                <ExclamationTriangleIcon />
              </Callout.Icon>
              <Callout.Text>{error}</Callout.Text>
            </Callout.Root>
          )}
          <FormField
            label="Email"
            type="email"
            autoComplete="email"
            inputMode="email"
            autoFocus
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
          <FormField
            label="Password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          <Button type="submit" size="3" loading={login.isPending} mt="2">
            Sign in
          </Button>
        </Flex>
      </form>
    </AuthShell>
  );
}
