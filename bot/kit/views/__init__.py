"""Block Kit views shared by listeners and jobs (a job posts what a command also shows).

Like bot/kit/blocks.py, these import no handler or job: handlers and jobs both import them.
"""
