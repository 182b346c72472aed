"""Tests of the runtime support code copied into generated clients."""
