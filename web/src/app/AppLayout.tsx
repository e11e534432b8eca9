import { ExitIcon, HamburgerMenuIcon } from '@radix-ui/react-icons';
import { Badge, Box, Button, Container, DropdownMenu, Flex, IconButton, Skeleton, Text } from '@radix-ui/themes';
import { useQuery } from '@tanstack/react-query';
import { Suspense, useRef } from 'react';
import { Link, NavLink, Outlet, useLocation, useNavigate } from 'react-router';
import { meQuery } from '../api/queries';
import { session } from '../api/session';
import { Brand } from '../components/Brand';
import { PageSkeleton } from '../components/PageSkeleton';
import { PLAN_NAMES } from '../lib/format';
import { NAV_SECTIONS } from './nav';

function Sidebar() {
  return (
    <Flex asChild direction="column" className="sidebar">
      <aside>
        <Box px="5" pt="5" pb="4">
          <Link to="/" className="brand-link" aria-label="SourcePilot dashboard">
            <Brand />
          </Link>
        </Box>
        <nav aria-label="Main">
          {NAV_SECTIONS.map((section) => (
            <Box key={section.label} px="3" pb="4">
              <Text as="div" size="1" weight="medium" color="gray" className="nav-section">
                {section.label}
              </Text>
              <Flex direction="column" gap="1" asChild>
                <ul>
                  {section.items.map(({ to, label, icon: Icon }) => (
                    <li key={to}>
                      <NavLink to={to} end={to === '/'} className="nav-link">
                        <Icon />
                        {label}
                      </NavLink>
                    </li>
                  ))}
                </ul>
              </Flex>
            </Box>
          ))}
        </nav>
      </aside>
    </Flex>
  );
}

/** On a phone the sidebar folds into this menu. */
function MobileNav() {
  const navigate = useNavigate();
  const { pathname } = useLocation();
  // After choosing a page, focus belongs to that page, not back on the menu button.
  const navigated = useRef(false);
  return (
    <DropdownMenu.Root>
      <DropdownMenu.Trigger>
        <IconButton variant="ghost" color="gray" size="3" aria-label="Open navigation menu">
          <HamburgerMenuIcon width="20" height="20" />
        </IconButton>
      </DropdownMenu.Trigger>
      <DropdownMenu.Content
        size="2"
        style={{ minWidth: 220 }}
        onCloseAutoFocus={(event) => {
          if (navigated.current) event.preventDefault();
          navigated.current = false;
        }}
      >
        {NAV_SECTIONS.map((section, i) => (
          <DropdownMenu.Group key={section.label}>
            {i > 0 && <DropdownMenu.Separator />}
            <DropdownMenu.Label>{section.label}</DropdownMenu.Label>
            {section.items.map(({ to, label, icon: Icon }) => (
              <DropdownMenu.Item
                key={to}
                onSelect={() => {
                  navigated.current = true;
                  navigate(to);
                }}
                className={pathname === to ? 'menu-item-current' : undefined}
                aria-current={pathname === to ? 'page' : undefined}
              >
                <Flex align="center" gap="2">
                  <Icon />
                  {label}
                </Flex>
              </DropdownMenu.Item>
            ))}
          </DropdownMenu.Group>
        ))}
      </DropdownMenu.Content>
    </DropdownMenu.Root>
  );
}

function TopBar() {
  const me = useQuery(meQuery);
  return (
    <Flex asChild align="center" justify="between" gap="3" px={{ initial: '3', sm: '5' }} className="topbar">
      <header>
        <Flex align="center" gap="3" className="mobile-only">
          <MobileNav />
          <Link to="/" className="brand-link" aria-label="SourcePilot dashboard">
            <Brand size="3" />
          </Link>
        </Flex>
        <Box className="desktop-only" />
        <Flex align="center" gap={{ initial: '2', sm: '4' }}>
          {me.data ? (
            <Flex align="center" gap="3" aria-label="Signed in account" role="group">
              <Text size="2" color="gray" className="topbar-email" title={me.data.email}>
                {me.data.email}
              </Text>
              <Badge size="2" variant="soft" color={me.data.plan === 'free' ? 'gray' : 'indigo'}>
                {PLAN_NAMES[me.data.plan]} plan
              </Badge>
            </Flex>
          ) : me.isPending ? (
            <Skeleton width="220px" height="20px" />
          ) : null}
          <Button variant="soft" color="gray" onClick={() => session.signOut()}>
            <ExitIcon /> Log out
          </Button>
        </Flex>
      </header>
    </Flex>
  );
}

export function AppLayout() {
  return (
    <div className="app-shell">
      <Sidebar />
      <Flex direction="column" minWidth="0">
        <TopBar />
        <Box asChild px={{ initial: '4', sm: '6', lg: '8' }} py={{ initial: '5', sm: '7' }}>
          <main>
            <Container size="4">
              <Suspense fallback={<PageSkeleton />}>
                <Outlet />
              </Suspense>
            </Container>
          </main>
        </Box>
      </Flex>
    </div>
  );
}
