import '@radix-ui/themes/styles.css';
import './styles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { RouterProvider } from 'react-router';
import { clearCacheOnSessionChange, createQueryClient } from './api/queries';
import { Providers } from './app/Providers';
import { createRouter } from './app/router';

const queryClient = createQueryClient();
clearCacheOnSessionChange(queryClient);
const router = createRouter();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Providers queryClient={queryClient}>
      <RouterProvider router={router} />
    </Providers>
  </StrictMode>,
);
