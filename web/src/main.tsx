import { lazy, StrictMode, Suspense, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { session } from './api/client';
import { Loading } from './components/ui';
import { Catalog } from './pages/Catalog';
import { Integrations } from './pages/Integrations';
import { SignIn } from './pages/SignIn';
import './styles.css';

// Loaded when first opened: the forms (@rjsf, ajv) and the chart (uPlot) are most of the bundle, and the
// sign-in and catalog pages need neither.
const ProviderDetail = lazy(() => import('./pages/ProviderDetail').then((module) => ({ default: module.ProviderDetail })));
const IntegrationPage = lazy(() => import('./pages/IntegrationPage').then((module) => ({ default: module.IntegrationPage })));
const Conversions = lazy(() => import('./pages/Conversions').then((module) => ({ default: module.Conversions })));

/** Hash routes (`#/integrations/int_…`): the API serves one index.html at `/`, and links survive a reload. */
function useRoute(): string {
  const [hash, setHash] = useState(window.location.hash);
  useEffect(() => {
    const changed = () => setHash(window.location.hash);
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return hash.replace(/^#/, '') || '/catalog';
}

function Page({ route }: { route: string }) {
  const [, section, id] = route.split('/');
  if (section === 'providers' && id) return <ProviderDetail providerId={decodeURIComponent(id)} />;
  if (section === 'integrations' && id) return <IntegrationPage integrationId={decodeURIComponent(id)} />;
  if (section === 'integrations') return <Integrations />;
  if (section === 'conversions') return <Conversions />;
  return <Catalog />;
}

const NAV = [
  ['/catalog', 'Catalog'],
  ['/integrations', 'Installed'],
  ['/conversions', 'Conversions'],
] as const;

function App() {
  const route = useRoute();
  const [signedIn, setSignedIn] = useState(Boolean(session.key()));
  if (!signedIn) return <SignIn onSignedIn={() => setSignedIn(true)} />;
  return (
    <>
      <nav aria-label="Main">
        <strong className="brand">Linquid</strong>
        {NAV.map(([path, label]) => (
          <a key={path} href={`#${path}`} aria-current={route.startsWith(path) ? 'page' : undefined}>
            {label}
          </a>
        ))}
        <button
          type="button"
          className="signout"
          onClick={() => {
            session.signOut();
            setSignedIn(false);
          }}
        >
          Sign out
        </button>
      </nav>
      <Suspense fallback={<Loading what="the page" />}>
        <Page key={route} route={route} />
      </Suspense>
    </>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
