set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m1_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'gpt2: prefill, prefill_roofline_ratio (1 = floor)'
$d0 << EOD
-0.09 41.4453854 40.2402745 42.6504963
0.91 42.3966839 41.3311967 43.4621711
1.91 44.1056453 42.577646 45.6336447
EOD
$d1 << EOD
-0.03 32.2908296 29.7244861 34.857173
0.97 30.6043603 29.8433183 31.3654022
1.97 35.6090881 34.7416706 36.4765057
EOD
$d2 << EOD
0.03 14.4732842 13.2038185 15.7427498
1.03 4.03961841 3.85318188 4.22605494
2.03 2.93585404 2.65169749 3.22001059
EOD
$d3 << EOD
0.09 20.3663631 20.1402927 20.5924334
1.09 6.11041021 5.79765273 6.42316769
2.09 2.8768078 2.69493913 3.05867648
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp16 on cuda:0 [cuda_graphs=true]', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp16 on cuda:0 [cuda_graphs=(unset)]', \
     $d2 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp32 on cuda:0 [cuda_graphs=true]', \
     $d3 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp32 on cuda:0 [cuda_graphs=(unset)]'
