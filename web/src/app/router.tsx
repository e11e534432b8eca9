import { lazy, Suspense, type ComponentType, type LazyExoticComponent } from 'react';
import { createBrowserRouter, type RouteObject } from 'react-router';
import { AppLayout } from './AppLayout';
import { PublicOnly, RequireAuth } from './auth';

const Home = lazy(() => import('../pages/Home'));
const ApiKeys = lazy(() => import('../pages/ApiKeys'));
const Settings = lazy(() => import('../pages/Settings'));
const Login = lazy(() => import('../pages/Login'));
const Register = lazy(() => import('../pages/Register'));
const NotFound = lazy(() => import('../pages/NotFound'));
const Imports = lazy(() => import('../pages/Imports'));
const ImportList = lazy(() => import('../pages/ImportList'));
const Products = lazy(() => import('../pages/Products'));
const Suppliers = lazy(() => import('../pages/Suppliers'));
const Connections = lazy(() => import('../pages/Connections'));
const PriceWatch = lazy(() => import('../pages/PriceWatch'));
const Billing = lazy(() => import('../pages/Billing'));
const ConfirmAlertEmail = lazy(() => import('../pages/ConfirmAlertEmail'));
const ShopifyWelcome = lazy(() => import('../pages/ShopifyWelcome'));

/** Pages outside the app shell load with a blank frame; they are small. */
function Standalone({ page: Page }: { page: LazyExoticComponent<ComponentType> }) {
  return (
    <Suspense fallback={null}>
      <Page />
    </Suspense>
  );
}

export const routes: RouteObject[] = [
  {
    element: <PublicOnly />,
    children: [
      { path: '/login', element: <Standalone page={Login} /> },
      { path: '/register', element: <Standalone page={Register} /> },
    ],
  },
  {
    element: <RequireAuth />,
    children: [
      {
        element: <AppLayout />,
        children: [
          { index: true, element: <Home /> },
          { path: 'imports', element: <Imports /> },
          { path: 'import-list', element: <ImportList /> },
          { path: 'products', element: <Products /> },
          { path: 'suppliers', element: <Suppliers /> },
          { path: 'connections', element: <Connections /> },
          { path: 'price-watch', element: <PriceWatch /> },
          { path: 'billing', element: <Billing /> },
          { path: 'api-keys', element: <ApiKeys /> },
          { path: 'settings', element: <Settings /> },
        ],
      },
    ],
  },
  // Opened from an email, signed in or not.
  { path: '/confirm-alert-email', element: <Standalone page={ConfirmAlertEmail} /> },
  // Signed in or not: an install that started in Shopify picks its account here.
  { path: '/shopify/welcome', element: <Standalone page={ShopifyWelcome} /> },
  { path: '*', element: <Standalone page={NotFound} /> },
];

export const createRouter = () => createBrowserRouter(routes);
