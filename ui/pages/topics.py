"""Topics: communities of the graph labelled by their top concepts, and "central but thin" study gaps."""

from __future__ import annotations

import streamlit as st

from ui.pages._shared import concept_link, explorer, follow_click, show_graph

follow_click()
ex, _ = explorer()
st.title("Topics")
with st.spinner("Finding topics…"):
    topics = ex.topics
if not topics:
    st.info("Not enough relations to find topics yet.")
    st.stop()

labels = [f"{t.label}  ({len(t.members)})" for t in topics]
try:
    chosen = int(st.query_params.get("topic", 0))
except ValueError:
    chosen = 0
chosen = min(max(chosen, 0), len(topics) - 1)
pick = st.selectbox(f"{len(topics)} topics (Louvain communities, biggest first)", range(len(topics)),
                    index=chosen, format_func=lambda i: labels[i])
if pick != chosen:
    st.query_params["topic"] = str(pick)
topic = topics[pick]

graph_col, side = st.columns([3, 1], gap="large")
with graph_col:
    show_graph(ex.topic_view(topic), ex, key=f"topic:{ex.version}:{topic.id}")
    st.caption("Node size: number of relations. Click a concept to open it.")
with side:
    st.subheader("Top concepts")
    for cid in topic.members[:12]:
        concept_link(ex.index.concepts[cid].name)

st.subheader("Study gaps: central but thin")
st.caption("Concepts many connections run through (high betweenness) that your notes say little about "
           "(few passages): worth a closer read.")
with st.spinner("Measuring centrality…"):
    gaps = ex.gaps
if not gaps:
    st.caption("None found.")
for gap in gaps:
    concept_link(gap.name, label=f"{gap.name}  ·  betweenness {gap.betweenness:.3f} · {gap.passages} passages · "
                                 f"{gap.degree} neighbours")
