//! Probes for `ocikit doctor` ([`ProbeRegistry`](crate::registry::whole::doctor::ProbeRegistry)): a request
//! whose answer is looked at whatever its status, with or without the session's credentials.

use super::*;
use crate::registry::http::Response;

/// A GET whose answer is the result, whatever its status: [`Look::anonymous`] sends it as it
/// is (the registry's first answer, its challenge included); [`Look::new`] with the session's
/// credentials and tokens for `reference`'s repository (pull).
#[derive(Debug, Clone)]
pub struct Look(LookKind);

#[derive(Debug, Clone)]
enum LookKind {
    Anonymous(Request),
    Authorized(Authorized),
}

#[derive(Debug, Clone)]
struct Authorized {
    exchange: Exchange,
    /// The operation's deadline, from its first step.
    deadline: Deadline,
}

impl Look {
    /// A GET of `path` with the session's credentials for pulling from `reference`'s
    /// repository, asking for `accept`, capturing at most `max` bytes of the answer.
    pub fn new(
        session: &Session,
        reference: &Reference,
        path: &str,
        accept: &str,
        max: u64,
    ) -> Self {
        Self(LookKind::Authorized(Authorized {
            exchange: get_document(session.url(path), reference, accept, max, &[Action::Pull]),
            deadline: Deadline::default(),
        }))
    }

    /// A GET of `path` without credentials: the answer an anonymous client gets first.
    pub fn anonymous(session: &Session, path: &str) -> Self {
        let mut request = Request::new(Method::Get, session.url(path));
        request.response_body = capture(64 * 1024);
        request.timeout_ms = session.limits().stall_timeout_ms;
        Self(LookKind::Anonymous(request))
    }

    /// The next step; done with the answer.
    ///
    /// # Errors
    /// A transport failure's error; for [`Look::new`], the token errors of the exchange.
    pub fn next(
        &mut self,
        session: &mut Session,
        input: Input,
        now_ms: u64,
    ) -> Result<Event<Response>, Error> {
        match &mut self.0 {
            LookKind::Anonymous(request) => match input {
                Input::Start => Ok(Event::Send(request.clone())),
                Input::Response(response) => Ok(Event::Done(response)),
                Input::Failure(failure) => Err(failure.to_error(request)),
                Input::Resume => Err(Error::ProtocolState {
                    reason: "a probe was resumed without a wait".into(),
                }),
            },
            LookKind::Authorized(op) => {
                let response = exchange!(op, session, input, now_ms);
                Ok(Event::Done(response))
            }
        }
    }
}
