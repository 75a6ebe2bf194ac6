"""Stories: embeddings, online clustering of articles into stories, sections, tags, rank, similar news."""
