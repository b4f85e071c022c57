"""Rows made directly with the ORM, for tests that need a state the services reach later."""

from datetime import UTC, date, datetime

from followup.rules.domain import Initiative
from followup.rules.due import due_date
from followup.store.tables import Client, Conversation

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


async def add_client(
    session, ref: str = "1", wijk: str = "Selwerd", conversation_date: date = date(2026, 1, 1)
) -> tuple[int, int]:
    """A client with one conversation, due three months later: (client id, conversation id)."""
    client = Client(client_ref=ref, name="Inwoner", wijk=wijk, created_at=NOW, updated_at=NOW)
    session.add(client)
    await session.flush()
    conversation = Conversation(
        client_id=client.id,
        conversation_date=conversation_date,
        follow_up_after_months=3,
        initiative=Initiative.MUNICIPALITY,
        due_on=due_date(conversation_date, 3, Initiative.MUNICIPALITY),
        created_at=NOW,
        updated_at=NOW,
    )
    session.add(conversation)
    await session.flush()
    return client.id, conversation.id
