//! Checking credentials: `GET /v2/` with authentication, as `docker login` does.

use super::*;

/// `GET /v2/` with authentication, as `docker login` checks credentials: Basic is answered
/// with the credentials, Bearer with a token request without scope (the token server checks
/// the credentials). An open registry answers 200 at once (nothing to check).
#[derive(Debug, Clone)]
pub struct CheckAuth {
    exchange: Exchange,
    /// The operation's deadline, from its first step.
    deadline: Deadline,
}

impl CheckAuth {
    /// Checks the session's credentials against its registry.
    pub fn new(session: &Session) -> Self {
        Self {
            deadline: Deadline::default(),
            exchange: Exchange::with_scopes(
                Request::new(Method::Get, session.url("/v2/")),
                Vec::new(),
            ),
        }
    }

    /// The next step; done when the registry accepts the session.
    ///
    /// # Errors
    /// [`Error::Registry`] (`UNAUTHORIZED`, `DENIED`) when it does not, or
    /// [`Error::AuthInvalid`] for a challenge ocikit will not answer.
    pub fn next(
        &mut self,
        session: &mut Session,
        input: Input,
        now_ms: u64,
    ) -> Result<Event<()>, Error> {
        let response = exchange!(self, session, input, now_ms);
        match response.status {
            200 => Ok(Event::Done(())),
            _ => Err(in_context(registry_error(&response), &self.exchange)),
        }
    }
}
