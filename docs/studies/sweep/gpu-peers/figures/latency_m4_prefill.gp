set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m4_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Prefill latency (TTFT) (ms), mean with 95% CI'
set title 'gpt2: prefill, prefill_latency_ms'
$d0 << EOD
-0.06 0.6845662 0.675734459 0.693397941
0.94 0.8817404 0.863484432 0.899996368
1.94 0.8693928 0.861815677 0.876969923
EOD
$d1 << EOD
0 2.8176922 2.72387387 2.91151053
1 4.410761 4.3175724 4.5039496
2 4.6345552 4.09808037 5.17103003
EOD
$d2 << EOD
0.06 6.527703 6.38276818 6.67263782
1.06 6.4407648 6.09824666 6.78328294
2.06 6.7093086 6.38233999 7.03627721
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'transformers-eager fp16 on cuda:0'
