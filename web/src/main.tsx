import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { session } from './api/client';
import { Catalog } from './pages/Catalog';
import { Conversions } from './pages/Conversions';
import { IntegrationPage } from './pages/IntegrationPage';
import { Integrations } from './pages/Integrations';
import { ProviderDetail } from './pages/ProviderDetail';
import { SignIn } from './pages/SignIn';
import './styles.css';

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
      <Page key={route} route={route} />
    </>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
