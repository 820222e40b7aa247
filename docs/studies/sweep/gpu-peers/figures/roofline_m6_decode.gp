set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m6_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'gpt2-large: decode, decode_roofline_ratio (1 = floor)'
$d0 << EOD
-0.06 2.34426444 2.33776145 2.35076744
0.94 2.36066882 2.35436379 2.36697384
1.94 4.93153931 4.91614791 4.94693071
EOD
$d1 << EOD
0 19.3416068 15.7968313 22.8863824
1 24.9632033 18.6821951 31.2442115
2 25.7997813 21.6711069 29.9284558
EOD
$d2 << EOD
0.06 33.5172576 32.1736641 34.8608511
1.06 32.0107539 31.7694417 32.2520661
2.06 37.2220649 29.6374995 44.8066303
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'transformers-eager fp16 on cuda:0'
