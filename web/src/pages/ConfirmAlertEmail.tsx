import { CheckCircledIcon, ExclamationTriangleIcon } from '@radix-ui/react-icons';
import { Button, Flex, Heading, Spinner, Text } from '@radix-ui/themes';
import { useMutation } from '@tanstack/react-query';
import { useEffect } from 'react';
import { Link, useSearchParams } from 'react-router';
import { errorMessage } from '../api/errors';
import { priceWatchApi } from '../api/price-watch';
import { usePageTitle } from '../app/usePageTitle';
import { Brand } from '../components/Brand';

/**
 * Where the link in the confirmation email lands (signed in or not): it posts the token,
 * so a mail scanner that only fetches the page confirms nothing.
 */
export default function ConfirmAlertEmail() {
  usePageTitle('Confirm your alert address');
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const confirm = useMutation({ mutationFn: priceWatchApi.confirmEmail });
  const { mutate } = confirm;

  useEffect(() => {
    if (token) mutate(token);
  }, [token, mutate]);

  let icon = <Spinner size="3" />;
  let title = 'Confirming your alert address…';
  let text = 'One moment.';
  if (!token || confirm.isError) {
    icon = <ExclamationTriangleIcon width="32" height="32" color="var(--red-9)" aria-hidden="true" />;
    title = 'This link does not work';
    text = token ? errorMessage(confirm.error) : 'The link has no confirmation token. Open the link from the email again, or send a new one from Price Watch › Alerts.';
  } else if (confirm.isSuccess) {
    icon = <CheckCircledIcon width="32" height="32" color="var(--green-9)" aria-hidden="true" />;
    title = 'Address confirmed';
    text = `Price and stock alerts will be emailed to ${confirm.data.email}.`;
  }

  return (
    <Flex className="auth-backdrop" direction="column" align="center" justify="center" gap="4" px="4" style={{ textAlign: 'center' }}>
      <Brand size="5" />
      <Flex mt="4">{icon}</Flex>
      <Heading as="h1" size="7">
        {title}
      </Heading>
      <Text as="p" size="3" color="gray" role={confirm.isError ? 'alert' : 'status'} style={{ maxWidth: 440 }}>
        {text}
      </Text>
      {(confirm.isSuccess || confirm.isError || !token) && (
        <Button asChild size="3" mt="2">
          <Link to="/price-watch">Go to Price Watch</Link>
        </Button>
      )}
    </Flex>
  );
}
