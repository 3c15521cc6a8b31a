"""DIS (IEEE 1278.1) interoperability: PDUs, entity types, dead reckoning, sending, receiving, recording.

* :mod:`iadsim.dis.pdu`: the Entity State, Fire and Detonation PDUs (encode/decode);
* :mod:`iadsim.dis.entity_types`: the catalog as SISO-REF-010 entity types, and back;
* :mod:`iadsim.dis.dead_reckoning`: dead-reckoning models, orientation from the velocity, issuance rules;
* :mod:`iadsim.dis.transport`: UDP, pcap recordings;
* :mod:`iadsim.dis.output`: the run observer that publishes a run (``iadsim run --dis/--dis-file``);
* :mod:`iadsim.dis.receiver`: the bounded, counting receiver (``iadsim live --dis-in``, ``iadsim dis-dump``).
"""
