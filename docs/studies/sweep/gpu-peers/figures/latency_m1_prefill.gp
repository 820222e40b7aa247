set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m1_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Prefill latency (TTFT) (ms), mean with 95% CI'
set title 'synthetic-0.8m: prefill, prefill_latency_ms'
$d0 << EOD
-0.06 0.133681 0.130454007 0.136907993
0.94 0.1404932 0.13316875 0.14781765
1.94 0.1538218 0.145008916 0.162634684
EOD
$d1 << EOD
0 0.784974 0.736751434 0.833196566
1 0.8403472 0.749030166 0.931664234
2 1.2411434 1.19004381 1.29224299
EOD
$d2 << EOD
0.06 1.9132124 1.28512986 2.54129494
1.06 1.6584242 1.63059391 1.68625449
2.06 1.9430964 1.81640484 2.06978796
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'transformers-eager fp16 on cuda:0'
