//! A TCP listener whose connections a handler can abort, for the `drop_after_post_commit` knob.
//!
//! axum hands a handler no socket, so each accepted stream is wrapped in [`KillableIo`] and
//! shares a [`ConnHandle`] with the request extensions (through axum's `ConnectInfo`). When a
//! handler calls [`ConnHandle::kill`], the next read or write on that connection fails and the
//! socket is closed with `SO_LINGER = 0`, i.e. a TCP reset: the client sees a transport error
//! and no HTTP response at all.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// Handle to one connection, available to handlers as `ConnectInfo<ConnHandle>`.
#[derive(Clone, Debug, Default)]
pub(crate) struct ConnHandle(Arc<AtomicBool>);

impl ConnHandle {
    /// Makes the connection fail instead of sending the pending response.
    pub fn kill(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    fn is_killed(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// A TCP stream that errors once its [`ConnHandle`] is killed.
#[derive(Debug)]
pub(crate) struct KillableIo {
    inner: TcpStream,
    handle: ConnHandle,
}

impl KillableIo {
    /// Returns the error to report when killed, arming a reset for when the socket is dropped.
    fn killed(&self) -> Option<io::Error> {
        if !self.handle.is_killed() {
            return None;
        }
        // Best effort: without it the close is a FIN, which is still no HTTP response.
        let _ = self.inner.set_zero_linger();
        Some(io::Error::new(
            io::ErrorKind::ConnectionReset,
            "connection dropped by the emulator (drop_after_post_commit)",
        ))
    }
}

impl AsyncRead for KillableIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if let Some(e) = self.killed() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for KillableIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if let Some(e) = self.killed() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if let Some(e) = self.killed() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if let Some(e) = self.killed() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if let Some(e) = self.killed() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Wraps a [`TcpListener`] so every connection is a [`KillableIo`].
#[derive(Debug)]
pub(crate) struct KillableListener(pub TcpListener);

impl Listener for KillableListener {
    type Io = KillableIo;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        let (stream, addr) = Listener::accept(&mut self.0).await;
        let _ = stream.set_nodelay(true);
        (
            KillableIo {
                inner: stream,
                handle: ConnHandle::default(),
            },
            addr,
        )
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.0.local_addr()
    }
}

impl Connected<IncomingStream<'_, KillableListener>> for ConnHandle {
    fn connect_info(stream: IncomingStream<'_, KillableListener>) -> Self {
        stream.io().handle.clone()
    }
}
