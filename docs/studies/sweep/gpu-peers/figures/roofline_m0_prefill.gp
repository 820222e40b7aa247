set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m0_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'tiny-gpt2: prefill, prefill_roofline_ratio (1 = floor)'
$d0 << EOD
-0.06 2341.48249 2200.12141 2482.84357
0.94 2216.34233 2078.28362 2354.40104
1.94 2398.04367 2100.46244 2695.62491
EOD
$d1 << EOD
0 12428.778 10505.842 14351.714
1 10787.956 10495.0632 11080.8487
2 16440.6137 15908.1285 16973.0989
EOD
$d2 << EOD
0.06 29400.6016 27825.6852 30975.518
1.06 37468.4487 35964.7324 38972.1649
2.06 36738.7861 36143.0063 37334.5659
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'transformers-eager fp16 on cuda:0'
