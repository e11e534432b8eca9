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

const MIN_PASSWORD = 8;

interface FieldErrors {
  email?: string;
  password?: string;
  confirm?: string;
}

function check(email: string, password: string, confirm: string): FieldErrors {
  const errors: FieldErrors = {};
  if (!email) errors.email = 'Enter your email address.';
  else if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) errors.email = 'Enter a valid email address, like name@shop.com.';
  if (password.length < MIN_PASSWORD) errors.password = `Use at least ${MIN_PASSWORD} characters.`;
  if (!confirm) errors.confirm = 'Enter the password again.';
  else if (confirm !== password) errors.confirm = 'Passwords do not match.';
  return errors;
}

export default function Register() {
  usePageTitle('Create your account');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});

  const register = useMutation({
    mutationFn: (body: { email: string; password: string }) => unwrap(api.auth.register.$post({ json: body })),
    onSuccess: (pair) => session.store(pair),
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    const found = check(email.trim(), password, confirm);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    register.mutate({ email: email.trim(), password });
  }

  return (
    <AuthShell
      title="Create your account"
      subtitle="Start importing supplier products into your store in minutes."
      footer={
        <>
          Already have an account?{' '}
          <Link asChild weight="medium">
            <RouterLink to="/login">Sign in</RouterLink>
          </Link>
        </>
      }
    >
      <form onSubmit={submit} noValidate>
        <Flex direction="column" gap="4">
          {register.isError && (
            <Callout.Root color="red" role="alert">
              <Callout.Icon>
                <ExclamationTriangleIcon />
              </Callout.Icon>
              <Callout.Text>{errorMessage(register.error)}</Callout.Text>
            </Callout.Root>
          )}
          <FormField
            label="Email"
            type="email"
            autoComplete="email"
            inputMode="email"
            autoFocus
            value={email}
            error={errors.email}
            onChange={(e) => setEmail(e.target.value)}
          />
          <FormField
            label="Password"
            type="password"
            autoComplete="new-password"
            value={password}
            hint={`At least ${MIN_PASSWORD} characters.`}
            error={errors.password}
            onChange={(e) => setPassword(e.target.value)}
          />
          <FormField
            label="Confirm password"
            type="password"
            autoComplete="new-password"
            value={confirm}
            error={errors.confirm}
            onChange={(e) => setConfirm(e.target.value)}
          />
          <Button type="submit" size="3" loading={register.isPending} mt="2">
            Create account
          </Button>
        </Flex>
      </form>
    </AuthShell>
  );
}
